import Foundation
import NNSearch

/// `nnsearch stop DIR`: records a stop in the journal; worker processes on every host finish their
/// epoch, checkpoint, give their trials back and exit. Waits until none is live.
enum StopCommand {
    static let usage = "nnsearch stop DIR [--timeout SECONDS]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "stop", options: ["timeout"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = SearchFolder(args.positionals[0])
        let timeout = try args.integer("timeout", in: 1...86_400, command: "stop") ?? 600
        var snapshot = try SearchSnapshot(folder)
        let before = snapshot
        if before.phase == .finished {
            standardOutput("\(folder.path) is finished; nothing to stop\n")
            return 0
        }
        // Recorded even with no worker live: a job array still pending must not start the search.
        if !before.state.stopped {
            try SearchCoordinator.append(.stop(by: "\(localHostName)/\(getpid())", time: Date().timeIntervalSince1970), to: folder)
        }
        guard before.phase == .running else {
            standardOutput("\(folder.path) is not running (\(before.phase.name)); stop recorded: workers that start now exit at once (lift it with: nnsearch resume \(folder.path))\n")
            return 0
        }
        let hosts = Set(before.live.map(\.host)).sorted()
        standardOutput("stopping \(folder.path): \(before.live.count) worker process\(before.live.count == 1 ? "" : "es") on \(hosts.joined(separator: ", ")) \(before.live.count == 1 ? "finishes its" : "finish their") epoch first\n")
        let deadline = Date().addingTimeInterval(Double(timeout))
        while true {
            try snapshot.refresh()
            let now = snapshot
            if now.live.isEmpty {
                standardOutput("stopped: \(now.state.doneCount)/\(now.state.trialCount) trials done; resume with: nnsearch resume \(folder.path)\n")
                return 0
            }
            guard Date() < deadline else {
                let names = now.live.map { "pid \($0.pid) on \($0.host)" }.joined(separator: ", ")
                throw NNSearchError(.busy, "still running after \(timeout) s: \(names). The stop stays recorded: each leaves at its next epoch boundary (a frozen one when its lease lapses); follow with: nnsearch status \(folder.path)")
            }
            usleep(50_000)
        }
    }
}
