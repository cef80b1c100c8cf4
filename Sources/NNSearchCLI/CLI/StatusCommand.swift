import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch status [DIR]`: whether a search runs and where, how far it is, its best trial.
///
/// Everything comes from the journal: the live worker processes (host, pid, threads, trials in
/// hand, last heartbeat), leases that lapsed, trials done, damaged records.
enum StatusCommand {
    static let usage = "nnsearch status [DIR]"

    /// At most this many trials are named in one line; the rest are counted.
    static let listed = 8

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

    /// The trials with a checkpoint and the epochs each holds ("trial 7 epoch 12").
    static func checkpointed(_ folder: SearchFolder) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.checkpoints) else { return [] }
        return names.filter { $0.hasSuffix(".ckpt") }.sorted().map { name in
            let number = Int(name.dropFirst(6).dropLast(5)).map(String.init) ?? name
            guard let bytes = readFileBytes(folder.checkpoints + "/" + name),
                  let (_, epochs) = try? TrialRunner.peek(bytes) else { return "trial \(number) (damaged: restarts)" }
            return "trial \(number) epoch \(epochs)"
        }
    }

    /// `items` joined by commas, at most `listed` of them, then how many more.
    static func shortList(_ items: [String]) -> String {
        let shown = items.prefix(listed).joined(separator: ", ")
        return items.count > listed ? shown + " and \(items.count - listed) more" : shown
    }

    static func show(_ folder: SearchFolder) throws -> Int32 {
        let s = try SearchSnapshot(folder)
        let state = s.state
        let phase = s.phase
        var lines = ["search: \(folder.path)"]
        switch phase {
        case .running:
            lines.append("state: running")
        case .failed(let message):
            lines.append("state: failed, not running: \(message)")
        case .finished:
            lines.append("state: finished")
        default:
            lines.append("state: \(phase.name), not running")
        }
        let live = s.live
        if !live.isEmpty {
            lines.append("workers: \(live.count) process\(live.count == 1 ? "" : "es"), \(live.reduce(0) { $0 + $1.threads }) threads")
            for p in live.prefix(listed) {
                let held = state.claims.filter { $0.value.process == p.id && !$0.value.released }.keys.sorted()
                let epochs = Dictionary(p.epochs.map { ($0.trial, $0) }, uniquingKeysWith: { a, _ in a })
                let trials = held.map { t in epochs[t].map { "trial \(t) epoch \($0.epoch)/\($0.epochs)" } ?? "trial \(t)" }
                let beat = String(format: "%.1f", max(0, s.now - p.lastSeen))
                lines.append("  \(p.host) pid \(p.pid): \(p.threads) thread\(p.threads == 1 ? "" : "s"), "
                             + (trials.isEmpty ? "no trial in hand" : shortList(trials)) + ", heartbeat \(beat) s ago")
            }
            if live.count > listed { lines.append("  and \(live.count - listed) more processes") }
        }
        var trials = "trials: \(state.doneCount)/\(state.trialCount) done"
        let expired = state.expiredClaims(at: s.now)
        if !expired.isEmpty {
            let verb = phase == .running ? "leases lapsed (claimable)" : "in flight when it stopped"
            trials += ", \(expired.count) \(verb): " + shortList(expired.map { "trial \($0.trial)" })
        }
        lines.append(trials)
        // Pruning: trials paused at a rung until every trial of the rung has reported.
        let waiting = state.paused.filter { state.claims[$0.key] == nil }.sorted { $0.key < $1.key }
        if !waiting.isEmpty {
            lines.append("waiting at a rung: \(waiting.count) trial\(waiting.count == 1 ? "" : "s") (promoted or pruned once their rung is complete): "
                         + shortList(waiting.map { "trial \($0.key) epoch \($0.value.epoch)" }))
        }
        if phase != .running, phase != .finished {
            let saved = checkpointed(folder).filter { entry in !waiting.contains { entry.hasPrefix("trial \($0.key) ") } }
            if !saved.isEmpty {
                lines.append("checkpointed: " + shortList(saved) + " (resume continues them from there)")
            }
        }
        if let best = s.best, let metric = s.metric {
            lines.append("best: trial \(best.trial), \(metric.rawValue) \(formatNumber(best.value))")
        }
        let elapsed = state.elapsed(at: s.now)
        var time = "elapsed: \(formatDuration(elapsed))"
        if phase == .running, state.doneCount > 0, state.doneCount < state.trialCount {
            time += ", ETA \(formatDuration(elapsed / Double(state.doneCount) * Double(state.trialCount - state.doneCount)))"
        }
        lines.append(time)
        if !s.problems.isEmpty || !state.ignored.isEmpty {
            let all = s.problems.map(\.description) + state.ignored.map(\.description)
            lines.append("journal: \(all.count) damaged or ignored record\(all.count == 1 ? "" : "s") skipped: " + shortList(all))
        }
        switch phase {
        case .stopped, .interrupted, .failed, .new:
            lines.append("resume with: nnsearch resume \(folder.path)")
        default:
            break
        }
        standardOutput(lines.joined(separator: "\n") + "\n")
        return 0
    }
}
