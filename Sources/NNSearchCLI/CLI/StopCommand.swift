import Foundation
import NNSearch

/// `nnsearch stop DIR`: asks the scheduler to stop gracefully and waits until it has.
enum StopCommand {
    static let usage = "nnsearch stop DIR [--timeout SECONDS]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "stop", options: ["timeout"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = SearchFolder(args.positionals[0])
        let timeout = try args.integer("timeout", in: 1...86_400, command: "stop") ?? 600
        guard folder.exists else {
            throw NNSearchError(.noInput, "\(folder.path) is not a search folder (no spec.json)")
        }
        guard let owner = SearchLock.owner(directory: folder.path) else {
            standardOutput("\(folder.path) is not running\n")
            return 0
        }
        guard owner.host == SearchLock.localHost else {
            throw NNSearchError(.unavailable, "\(folder.path) runs on host \(owner.host) (pid \(owner.pid)); stop it there")
        }
        guard kill(owner.pid, SIGTERM) == 0 else {
            throw NNSearchError(.unavailable, "cannot signal pid \(owner.pid): \(String(cString: strerror(errno)))")
        }
        standardOutput("stopping \(folder.path) (pid \(owner.pid)): the running epochs finish first\n")
        let deadline = Date().addingTimeInterval(Double(timeout))
        while SearchLock.owner(directory: folder.path) != nil {
            guard Date() < deadline else {
                throw NNSearchError(.unavailable, "pid \(owner.pid) is still running after \(timeout) s; it stops after its current epoch")
            }
            usleep(50_000)
        }
        let p = Progress.read(folder.progress)
        standardOutput("stopped: \(p?.done ?? 0)/\(p?.total ?? 0) trials done; resume with: nnsearch resume \(folder.path)\n")
        return 0
    }
}
