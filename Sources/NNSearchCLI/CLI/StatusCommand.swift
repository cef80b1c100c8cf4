import Foundation
import NNSearch
import struct NNSearch.Progress
import NNSearchKernel

/// `nnsearch status [DIR]`: whether a search runs, how far it is, its best trial, its ETA.
enum StatusCommand {
    static let usage = "nnsearch status [DIR]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "status", options: [], flags: [])
        try args.expectPositionals(0, 1, usage: usage)
        guard let path = args.positionals.first else {
            // No folder named: this folder if it is a search, else every search under searches/.
            if SearchFolder(".").exists { return try show(SearchFolder(".")) }
            return try ListCommand.run([])
        }
        return try show(SearchFolder(path))
    }

    /// What a search folder's state is, from its lock and its progress file.
    enum State: Equatable {
        case running(LockOwner)
        case finished, stopped, timeLimit, failed(String?)
        /// It was running and its process is gone (kill -9, power loss).
        case interrupted
        /// Created but never ran.
        case new

        var name: String {
            switch self {
            case .running: "running"
            case .finished: "finished"
            case .stopped: "stopped"
            case .timeLimit: "time limit"
            case .failed: "failed"
            case .interrupted: "interrupted"
            case .new: "not started"
            }
        }
    }

    static func state(of folder: SearchFolder, progress: Progress?) -> State {
        if let owner = SearchLock.owner(directory: folder.path) { return .running(owner) }
        switch progress?.state {
        case "finished": return .finished
        case "stopped": return .stopped
        case "time limit": return .timeLimit
        case "failed": return .failed(progress?.message)
        case "running": return .interrupted
        default: return .new
        }
    }

    /// The number of whole rows in trials.csv (its header and a torn last line not counted).
    static func finishedCount(_ folder: SearchFolder) -> Int? {
        guard let bytes = FileManager.default.contents(atPath: folder.trials) else { return nil }
        let lines = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return max(0, lines - 1)
    }

    /// The trials with a checkpoint and the epochs each holds ("trial 7 epoch 12").
    static func checkpointed(_ folder: SearchFolder) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.checkpoints) else { return nil }
        return names.filter { $0.hasSuffix(".ckpt") }.sorted().map { name in
            let number = Int(name.dropFirst(6).dropLast(5)).map(String.init) ?? name
            guard let data = FileManager.default.contents(atPath: folder.checkpoints + "/" + name),
                  let (_, epochs) = try? TrialRunner.peek(data) else { return "trial \(number) (damaged: restarts)" }
            return "trial \(number) epoch \(epochs)"
        }
    }

    static func show(_ folder: SearchFolder) throws -> Int32 {
        guard folder.exists else {
            throw NNSearchError(.noInput, "\(folder.path) is not a search folder (no spec.json)")
        }
        let progress = Progress.read(folder.progress)
        let state = state(of: folder, progress: progress)
        var lines = ["search: \(folder.path)"]
        switch state {
        case .running(let owner):
            lines.append("state: running (pid \(owner.pid) on \(owner.host), since \(owner.started))")
        case .failed(let message):
            lines.append("state: failed, not running" + (message.map { ": \($0)" } ?? ""))
        case .finished:
            lines.append("state: finished")
        default:
            lines.append("state: \(state.name), not running")
        }
        if var p = progress {
            if case .running = state {} else {
                // progress.json lags by up to half a second after a kill; trials.csv does not.
                p.done = finishedCount(folder) ?? p.done
            }
            var trials = "trials: \(p.done)/\(p.total) done"
            if !p.running.isEmpty {
                let verb = if case .running = state { "running" } else { "in flight when it stopped" }
                trials += ", \(p.running.count) \(verb): " + p.running.map { "trial \($0.trial) epoch \($0.epoch)/\($0.epochs)" }.joined(separator: ", ")
            }
            lines.append(trials)
            if case .running = state {} else if let saved = checkpointed(folder), !saved.isEmpty {
                lines.append("checkpointed: " + saved.joined(separator: ", ") + " (resume continues them from there)")
            }
            if let best = p.bestTrial, let value = p.bestValue {
                lines.append("best: trial \(best), \(p.metric) \(formatNumber(value))")
            }
            var time = "elapsed: \(formatDuration(p.elapsed))"
            if case .running = state, p.done > 0, p.done < p.total {
                time += ", ETA \(formatDuration(p.elapsed / Double(p.done) * Double(p.total - p.done)))"
            }
            lines.append(time)
        }
        switch state {
        case .stopped, .interrupted, .failed, .new:
            lines.append("resume with: nnsearch resume \(folder.path)")
        default:
            break
        }
        standardOutput(lines.joined(separator: "\n") + "\n")
        return 0
    }
}
