import Foundation
import NNSearchKernel

/// One run of the scheduler over a search folder: lock, load, run, report, unlock.
package enum SearchSession {
    /// How progress is shown while the scheduler runs.
    package enum Display {
        /// A live progress line redrawn in place (foreground, on a terminal).
        case terminal
        /// Plain lines, one per finished trial (a log file or a pipe).
        case lines
    }

    /// Runs the folder's remaining trials; returns the exit status.
    package static func run(folder: SearchFolder, workers override: Int?, display: Display) throws -> Int32 {
        let (lock, tookOver) = try SearchLock.acquire(directory: folder.path)
        defer { lock.release() }
        if let tookOver { standardError("nnsearch: \(tookOver)\n") }

        let scheduler = try prepare(folder: folder, workers: override) { makeReporter(display: display, metric: $0) }
        let metric = scheduler.columns.metric

        let signals = Locked(0)
        let watcher = SignalWatcher(signals: [SIGINT, SIGTERM], queue: DispatchQueue(label: "nnsearch.signals")) { signal in
            let count = signals.withLock { $0 += 1; return $0 }
            if count == 1 {
                standardError("\nnnsearch: stopping after the running epochs (signal \(signal) again to quit now)\n")
                scheduler.requestStop()
            } else {
                // Everything on disk is whole at any moment (atomic renames, whole-row appends).
                _exit(128 + signal)
            }
        }
        defer { watcher.cancel() }

        standardOutput("search \(folder.path): \(scheduler.pending.count) of \(scheduler.plan.count) trials to run on \(scheduler.workers) worker\(scheduler.workers == 1 ? "" : "s")\n")
        let outcome = try scheduler.run(heartbeat: { lock.heartbeat() })
        if display == .terminal { standardOutput("\n") }
        let final = Progress.read(folder.progress)
        var summary = "search \(outcome.rawValue): \(final?.done ?? 0)/\(final?.total ?? 0) trials"
        if let best = final?.bestTrial, let value = final?.bestValue {
            summary += ", best trial \(best) \(metric.rawValue) \(formatNumber(value))"
        }
        summary += ", \(formatDuration(final?.elapsed ?? 0)) elapsed"
        standardOutput(summary + "\n")
        if outcome != .finished && outcome != .timeLimit {
            standardOutput("resume with: nnsearch resume \(folder.path)\n")
        }
        return 0
    }

    /// Loads a folder's spec, data and finished trials, and makes the scheduler for what is left.
    package static func prepare(folder: SearchFolder, workers override: Int?,
                        reporter: (Metric) -> Scheduler.Reporter) throws -> Scheduler {
        let spec = try SearchSpec.load(path: folder.spec)
        let data = try SearchData(spec: spec)
        let metric = try spec.resolvedMetric(for: data.task)
        let columns = ResultColumns(space: spec.space.map(\.name), task: data.task, metric: metric)
        var leaderboard = Leaderboard(columns: columns)
        var finished = Set<Int>()
        for fields in try TrialLog.readRows(path: folder.trials, header: columns.header) {
            let number = Int(fields[0])!
            guard finished.insert(number).inserted else { continue }
            leaderboard.insert(trial: number, metricValue: columns.metricValue(row: fields), fields: fields)
        }
        let previous = Progress.read(folder.progress)
        let workers = override ?? spec.workers ?? ProcessInfo.processInfo.activeProcessorCount
        return try Scheduler(
            folder: folder, spec: spec, data: data, columns: columns, workers: workers, finished: finished,
            leaderboard: leaderboard, elapsedBefore: previous?.elapsed ?? 0, reporter: reporter(metric))
    }

    private static func makeReporter(display: Display, metric: Metric) -> Scheduler.Reporter {
        switch display {
        case .lines:
            return Scheduler.Reporter(trialFinished: { result, progress in
                let value = result.status == .diverged ? "diverged" : "\(metric.rawValue) \(formatNumber(metric == .valLoss ? result.last!.valLoss : result.last!.valMetric))"
                standardOutput("[\(progress.done)/\(progress.total)] trial \(result.trial.number) \(value) (\(String(format: "%.2f", result.seconds)) s)\n")
            })
        case .terminal:
            // Redrawn in place after every finished trial and twice a second.
            let line: @Sendable (Progress, Double?) -> Void = { progress, eta in
                var line = "\r\u{1B}[2K[\(progress.done)/\(progress.total)] running \(progress.running.count)"
                if let best = progress.bestTrial, let value = progress.bestValue {
                    line += " · best \(progress.metric) \(formatNumber(value)) (trial \(best))"
                }
                line += " · \(formatDuration(progress.elapsed)) elapsed"
                if let eta { line += " · ETA \(formatDuration(eta))" }
                standardOutput(line)
            }
            return Scheduler.Reporter(
                trialFinished: { _, progress in line(progress, nil) },
                tick: { progress, seconds, doneThisRun in
                    line(progress, progress.eta(doneThisRun: doneThisRun, secondsThisRun: seconds))
                })
        }
    }
}

/// Seconds as `42s`, `3m05s` or `2h03m`.
package func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
