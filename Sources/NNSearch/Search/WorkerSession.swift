import Foundation
import NNSearchKernel

/// One worker process's run on a search folder: load, join, train what the policy hands out, leave.
///
/// Any number of these may work one folder at once, on one host or many (through a shared
/// filesystem); `start`, `resume` and `worker` all run exactly this.
package enum WorkerSession {
    /// How progress is shown.
    package enum Display {
        /// A live progress line redrawn in place (foreground, on a terminal).
        case terminal
        /// Plain lines, one per finished trial (a log file or a pipe).
        case lines
    }

    /// What a worker process is asked to do.
    package struct Options {
        package var workers: Int? = nil
        package var display: Display = .lines
        package var settings = SearchCoordinator.Settings()
        /// Trial and checkpoint seconds per trial, for the benchmark.
        package var observer: Executor.Observer = { _, _ in }
        /// Print nothing (the benchmark).
        package var quiet = false
        /// Keep `report.html` fresh as trials finish (off for the benchmark).
        package var report = true
        /// Whether tiny trials train in lockstep groups (the same results either way): on unless
        /// `NNSEARCH_LOCKSTEP=0`, which trains every trial alone (for comparisons).
        package var lockstep = ProcessInfo.processInfo.environment["NNSEARCH_LOCKSTEP"] != "0"
        /// The search's data when the caller loaded it already (`start --foreground`), so it is read once.
        package var data: SearchData? = nil

        package init() {}
    }

    /// Joins the search in `folder` and works until nothing is left for this process; returns the exit status.
    package static func run(folder: SearchFolder, options: Options) throws -> Int32 {
        let say: (String) -> Void = options.quiet ? { _ in } : { standardOutput($0) }
        let spec = try SearchSpec.load(folder: folder)
        let data = try options.data ?? SearchData(spec: spec)
        let metric = try spec.resolvedMetric(for: data.task)
        let columns = ResultColumns(space: spec.space.map(\.name), task: data.task, metric: metric, chance: data.chance,
                                    crossValidated: spec.validation.crossValidation != nil)
        let plan = TrialPlan(spec: spec)
        let workers = max(1, options.workers ?? spec.workers ?? ProcessInfo.processInfo.activeProcessorCount)
        let schedule = spec.pruning.map { RungSchedule(pruning: $0, spec: spec, plan: plan, metric: metric) }
        let printsLines = options.display == .lines && !options.quiet
        let coordinator = try SearchCoordinator(
            folder: folder, columns: columns, plan: plan, rounds: data.rounds, maxSeconds: spec.maxSeconds, threads: workers, schedule: schedule,
            settings: options.settings, keepModels: spec.modelsToKeep, warn: { standardError("nnsearch: \($0)\n") },
            notice: { if printsLines { standardOutput($0 + "\n") } })

        try coordinator.refresh()
        let before = coordinator.state
        if before.isComplete {
            // A process killed between a trial's last result and its checkpoint's removal leaves that checkpoint.
            CheckpointStore(folder: folder, data: data, validation: spec.validation).clean(finished: Set(before.finished.keys))
            try coordinator.repairViews()
            say("\(folder.path) is finished (\(before.doneCount)/\(before.trialCount) trials); nothing to do\n")
            return 0
        }
        if before.stopped {
            say("\(folder.path) is stopped; nothing to do (continue it with: nnsearch resume \(folder.path))\n")
            return 0
        }
        let origin = SearchOrigin.read(folder)
        guard origin.chance != nil || origin.isPending else {
            // Its rows lack the diagnosis and training-metric columns: new ones would not fit its files.
            throw NNSearchError(.data, """
                \(folder.path) was created by nnsearch 0.4 or earlier, whose result rows have other columns; \
                finish it with that version, or start it again with this one (nnsearch start SPEC.json --out NEW_DIR). \
                explain, report, watch and status read it as it is.
                """)
        }
        // Data handed over by `start --foreground` was read for the folder this process just created.
        if options.data == nil { try DataFingerprint.check(spec, folder: folder) }
        let budget = MemoryBudget.current(maxMemory: spec.maxMemory)
        try spec.checkMemory(shape: DataShape(data), workers: workers, budget: budget)
        // Trials a worker may train side by side: each lane holds one trial's state.
        let lanes = options.lockstep ? spec.lockstepLanes(Lockstep.lanes, shape: DataShape(data), workers: workers, budget: budget) : 1
        if origin.isPending {
            // Created by a detached `start`, which left loading the data to its worker: record what it told.
            try PreparationRecord.record(data.preparation, in: folder)
            try origin.recordingData(metric: metric, task: data.task, chance: data.chance).write(to: folder)
        }
        let checkpoints = CheckpointStore(folder: folder, data: data, validation: spec.validation)
        checkpoints.clean(finished: Set(before.finished.keys))
        // TPE's points up to the frontier, computed before the journal lock is ever taken (a second each per 1,000 trials or so).
        if plan.learns { _ = coordinator.trial(min(before.frontier, before.trialCount - 1)) }
        try coordinator.join()

        let sink = ResultSink(coordinator: coordinator, checkpoints: checkpoints, capacity: 2 * workers + 2,
                              report: reporter(options.display, metric: metric, quiet: options.quiet))
        let models = spec.modelsToKeep > 0 ? ModelStore(folder: folder, keep: spec.modelsToKeep, spec: spec, data: data, metric: metric) : nil
        let executor = Executor(workers: workers, coordinator: coordinator, checkpoints: checkpoints,
                                sink: sink, models: models, lockstepLanes: lanes, observer: options.observer)
        let signals = Locked(0)
        let firstSignal = Locked<Int32?>(nil)
        let watcher = SignalWatcher(signals: [SIGINT, SIGTERM], queue: DispatchQueue(label: "nnsearch.signals")) { signal in
            let count = signals.withLock { $0 += 1; return $0 }
            firstSignal.withLock { $0 = $0 ?? signal }
            if count == 1 {
                standardError("\nnnsearch: stopping this process after the running epochs (signal \(signal) again to quit now)\n")
                executor.requestStop()
            } else {
                // Everything on disk is whole at any moment (atomic renames, whole-record appends).
                _exit(128 + signal)
            }
        }
        defer { watcher.cancel() }

        let open = before.trialCount - before.doneCount
        say("search \(folder.path): \(open) of \(before.trialCount) trials to run on \(workers) worker\(workers == 1 ? "" : "s") (process \(coordinator.process))\n")
        let tickFailure = Locked<NNSearchError?>(nil)
        // The report is rendered on a queue of its own, one rewrite at a time, never on the tick's thread.
        let refresher = SearchReport.Refresher(folder: folder)
        let reportQueue = DispatchQueue(label: "nnsearch.report")
        let reportBusy = Locked(false)
        let refreshReport = { (force: Bool) in
            guard options.report, reportBusy.withLock({ busy in defer { busy = true }; return !busy }) else { return }
            reportQueue.async {
                if let error = refresher.refresh(force: force) { standardError("nnsearch: report.html not refreshed: \(error)\n") }
                reportBusy.withLock { $0 = false }
            }
        }
        let ending = executor.run(tick: {
            // One process per search keeps the report: the earliest-joined live one (the others' copies would be the same).
            if coordinator.state.runningProcesses(at: SearchCoordinator.now()).first?.id == coordinator.process { refreshReport(false) }
            do {
                try coordinator.tick()
            } catch {
                tickFailure.withLock { $0 = $0 ?? (error as? NNSearchError ?? NNSearchError(.io, "\(error)")) }
                executor.requestStop()
            }
            if options.display == .terminal && !options.quiet { drawLine(coordinator) }
        })
        let final: Executor.Ending = tickFailure.current.map { .failed($0) } ?? ending
        if options.display == .terminal && !options.quiet { standardOutput("\n") }

        let complete = coordinator.state.isComplete
        switch final {
        case .failed(let error):
            try? coordinator.leave(reason: "failed: \(error.message)", progressState: "failed", message: error.message)
            throw error
        case .finished:
            try coordinator.leave(reason: "done", progressState: complete ? "finished" : "running")
        case .stopped:
            try coordinator.leave(reason: "stopped", progressState: "stopped")
        case .interrupted:
            try coordinator.leave(reason: "signal", progressState: "stopped")
        case .timeLimit:
            try coordinator.leave(reason: "time limit", progressState: "time limit")
        }
        try coordinator.refresh()
        reportQueue.sync {}
        // The last process to leave writes the final report.
        let stillLive = coordinator.state.runningProcesses(at: SearchCoordinator.now()).contains { $0.id != coordinator.process }
        if options.report, !stillLive, let error = refresher.refresh(force: true) {
            standardError("nnsearch: report.html not written: \(error)\n")
        }
        let state = coordinator.state
        // A worker that woke from a freeze may have checkpointed a trial another one finished since.
        checkpoints.clean(finished: Set(state.finished.keys))
        let now = SearchCoordinator.now()
        let others = state.liveProcesses(at: now).filter { $0.id != coordinator.process }.count
        var summary: String
        switch final {
        case _ where complete:
            summary = "search finished"
        case .timeLimit:
            summary = "search reached its time limit"
        case .interrupted where others > 0:
            summary = "this worker left (signal); the search goes on in \(others) other process\(others == 1 ? "" : "es")"
        case .finished:
            summary = "this worker is done; the trials left are in other processes' hands"
        default:
            summary = "search stopped"
        }
        summary += ": \(state.doneCount)/\(state.trialCount) trials"
        if let best = coordinator.best {
            summary += ", best trial \(best.trial) \(metric.rawValue) \(formatNumber(best.value))"
        }
        summary += ", \(formatDuration(state.elapsed(at: now))) elapsed"
        say(summary + "\n")
        if !complete && others == 0 && (final == .stopped || final == .interrupted) {
            say("resume with: nnsearch resume \(folder.path)\n")
        }
        // Ctrl-C ends with 130, as shells expect; SIGTERM (scancel, a pod's deletion) is the
        // graceful way a job manager stops a worker, and ends with 0.
        return final == .interrupted && firstSignal.current == SIGINT ? 130 : 0
    }

    private static func reporter(_ display: Display, metric: Metric, quiet: Bool) -> ResultSink.Report {
        if quiet { return { _, _, _ in } }
        switch display {
        case .lines:
            return { result, done, total in
                let value = result.status == .diverged ? "diverged" : "\(metric.rawValue) \(formatNumber(metric == .valLoss ? result.last!.valLoss : result.last!.valMetric))"
                standardOutput("[\(done)/\(total)] trial \(result.trial.number) \(value) (\(String(format: "%.2f", result.seconds)) s)\n")
            }
        case .terminal:
            return { _, done, total in
                standardOutput("\r\u{1B}[2K[\(done)/\(total)]")
            }
        }
    }

    /// The live progress line: trials done, in hand, the best so far and the elapsed time.
    private static func drawLine(_ coordinator: SearchCoordinator) {
        let (done, total) = coordinator.counts
        var line = "\r\u{1B}[2K[\(done)/\(total)]"
        if let best = coordinator.best {
            line += " · best \(coordinator.columns.metric.rawValue) \(formatNumber(best.value)) (trial \(best.trial))"
        }
        line += " · \(formatDuration(coordinator.elapsed)) elapsed"
        standardOutput(line)
    }
}

/// Seconds as `42s`, `3m05s` or `2h03m`.
package func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
