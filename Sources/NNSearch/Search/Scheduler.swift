import Foundation
import NNSearchKernel

/// Runs a search's missing trials on N workers that share one read-only copy of the data.
///
/// Workers take trial numbers in order from a shared counter and run whole trials; finished
/// trials go to one serial writer queue that writes the curve, appends `trials.csv` and rewrites
/// `leaderboard.csv`; `progress.json` is rewritten twice a second and at the end. A trial's result depends only on the spec and its
/// number, so the files (minus `seconds`) do not depend on the worker count or finishing order.
package final class Scheduler: @unchecked Sendable {
    /// How a run of the scheduler ended.
    package enum Outcome: String, Sendable {
        case finished
        case stopped
        case timeLimit = "time limit"
    }

    /// Called on the writer queue after each finished trial, and about twice a second.
    package struct Reporter: Sendable {
        var trialFinished: @Sendable (TrialResult, Progress) -> Void = { _, _ in }
        var tick: @Sendable (Progress, _ secondsThisRun: Double, _ doneThisRun: Int) -> Void = { _, _, _ in }
    }

    package let folder: SearchFolder
    let data: SearchData
    let plan: TrialPlan
    package let columns: ResultColumns
    let workers: Int
    let reporter: Reporter
    /// Trials still to run, in order.
    let pending: [Int]

    private let deadline: Double?
    private let elapsedBefore: Double
    private let started = DispatchTime.now().uptimeNanoseconds
    private let writer = DispatchQueue(label: "nnsearch.writer")
    private let log: TrialLog
    private var leaderboard: Leaderboard     // writer queue only
    private var done: Int                    // writer queue only
    private var flushScheduled = false       // writer queue only
    /// Seconds the writer has spent writing (rows, curves, leaderboard, progress).
    private var writerBusySeconds = 0.0      // writer queue only
    /// `writerBusySeconds` as each trial was recorded, for the overhead benchmark.
    package private(set) var busyAfterTrial: [Double] = []   // writer queue only; read after `run`

    private struct Shared {
        var next = 0
        var stop = false
        var running: [Int: Progress.RunningTrial] = [:]
        var doneThisRun = 0
        var failure: NNSearchError? = nil
        var timedOut = false
        /// Seconds spent in trials and, within them, writing checkpoints (this run).
        var trialSeconds = 0.0
        var checkpointSeconds = 0.0
        /// The latest measured checkpoint write (temp file, fsync, rename), seconds; 2 ms before any.
        var checkpointCost = 0.002
        /// When the first trial of this run was taken (uptime nanoseconds).
        var firstTrialTaken: UInt64? = nil
    }
    private let shared = Locked(Shared())

    /// Prepares a run over `folder`, whose `finished` trials are already in `leaderboard`.
    init(folder: SearchFolder, spec: SearchSpec, data: SearchData, columns: ResultColumns, workers: Int,
         finished: Set<Int>, leaderboard: Leaderboard, elapsedBefore: Double, reporter: Reporter) throws {
        self.folder = folder
        self.data = data
        plan = TrialPlan(spec: spec)
        self.columns = columns
        self.leaderboard = leaderboard
        self.reporter = reporter
        self.elapsedBefore = elapsedBefore
        deadline = spec.maxSeconds.map { $0 - elapsedBefore }
        pending = (0..<plan.count).filter { !finished.contains($0) }
        done = plan.count - pending.count
        self.workers = max(1, min(workers, pending.count))
        log = try TrialLog(path: folder.trials, header: columns.header)
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder.curves, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: folder.checkpoints, withIntermediateDirectories: true)
        // Temporary files of writes a kill interrupted are garbage.
        for dir in [folder.path, folder.checkpoints] {
            for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where name.contains(".tmp-") {
                unlink(dir + "/" + name)
            }
        }
        // A checkpoint whose trial has its row was left by a kill between the two: drop it.
        for number in finished where fm.fileExists(atPath: folder.checkpoint(number)) {
            unlink(folder.checkpoint(number))
        }
    }

    /// Asks the workers to stop after their current epoch; finished trials are still written.
    func requestStop() {
        shared.withLock { $0.stop = true }
    }

    /// Checkpoint writing as a fraction of the time spent in trials, this run.
    package var checkpointOverhead: (checkpoint: Double, trials: Double) {
        shared.withLock { ($0.checkpointSeconds, $0.trialSeconds) }
    }

    /// When the first trial of this run was taken (uptime nanoseconds), if one was.
    package var firstTrialTaken: UInt64? { shared.withLock { $0.firstTrialTaken } }

    /// Seconds since this run started.
    var secondsThisRun: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// Runs until every trial finished, a stop was requested, or `max_seconds` passed.
    /// `heartbeat` runs on the calling thread about twice a second while workers run.
    package func run(heartbeat: () -> Void = {}) throws -> Outcome {
        if let deadline, deadline <= 0 {
            try writeProgress(state: Outcome.timeLimit.rawValue)
            return .timeLimit
        }
        try writeProgress(state: "running")
        if done > 0 {
            // After a kill the leaderboard may lag trials.csv by the rows of one burst.
            try leaderboard.write(to: folder.leaderboard)
        }
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            Thread.detachNewThread { [self] in
                work()
                group.leave()
            }
        }
        while group.wait(timeout: .now() + 0.5) == .timedOut {
            heartbeat()
            writer.async {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let p = self.progress(state: "running")
                try? self.writeProgress(p)
                self.busy(since: t0)
                self.reporter.tick(p, self.secondsThisRun, self.shared.withLock { $0.doneThisRun })
            }
        }
        // Drain the writer; the last record may have queued its leaderboard rewrite behind this
        // point, so rewrite once more here: the final file always holds every finished trial.
        writer.sync {}
        writer.sync { self.flush() }
        let s = shared.current
        let outcome: Outcome = s.failure != nil ? .stopped
            : done == plan.count ? .finished : s.timedOut ? .timeLimit : .stopped
        if let failure = s.failure {
            try? writeProgress(state: "failed", message: failure.message)
            throw failure
        }
        try writeProgress(state: outcome.rawValue)
        return outcome
    }

    // MARK: - Workers

    /// One worker: takes trials until none are left or a stop is requested.
    private func work() {
        while let trial = takeNext() {
            let number = trial.number
            let t0 = DispatchTime.now().uptimeNanoseconds
            let runner = resumeOrStart(trial)
            var checkpoint = Checkpointing(path: folder.checkpoint(number), identity: identity(trial),
                                           epochs: runner.records.count,
                                           estimatedCost: shared.withLock { $0.checkpointCost })
            shared.withLock { $0.running[number]?.epoch = runner.records.count }
            var interrupted = false
            do {
                while !runner.isFinished {
                    if shouldStop() { interrupted = true; break }
                    runner.runEpoch()
                    let epoch = runner.records.count
                    shared.withLock { $0.running[number]?.epoch = epoch }
                    if !runner.isFinished { try checkpoint.afterEpoch(runner) }
                }
                if interrupted { try checkpoint.save(runner) }
            } catch {
                fail(error)
                interrupted = true
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            shared.withLock {
                $0.trialSeconds += seconds
                $0.checkpointSeconds += checkpoint.seconds
                if checkpoint.seconds > 0 { $0.checkpointCost = checkpoint.lastCost }
            }
            if interrupted {
                shared.withLock { $0.running[number] = nil }
                return
            }
            let status: TrialStatus = runner.records.last?.diverged == true ? .diverged : .completed
            let result = TrialResult(trial: trial, status: status, records: runner.records, seconds: seconds)
            writer.async { self.record(result) }
        }
    }

    /// What a checkpoint must match to be used: the trial's number, seed and values.
    private func identity(_ trial: Trial) -> String {
        "trial \(trial.number) seed \(trial.seed): " + trial.values.joined(separator: ",")
    }

    /// A runner for the trial, continued from its checkpoint when there is a usable one.
    private func resumeOrStart(_ trial: Trial) -> TrialRunner {
        let h = trial.hyperparameters
        let fresh = { TrialRunner(hyperparameters: h, seed: trial.seed, data: self.data.data(for: h.normalize)) }
        let path = folder.checkpoint(trial.number)
        guard let bytes = FileManager.default.contents(atPath: path) else { return fresh() }
        let runner = fresh()
        do {
            try runner.restore(bytes, identity: identity(trial))
            return runner
        } catch {
            standardError("nnsearch: warning: \(path) cannot be used (\(error)); trial \(trial.number) restarts from its first epoch\n")
            unlink(path)
            return fresh()
        }
    }

    /// The next trial to run, or nil when none is left or the search is stopping.
    private func takeNext() -> Trial? {
        if shouldStop() { return nil }
        let number = shared.withLock { s -> Int? in
            guard !s.stop, s.next < pending.count else { return nil }
            s.next += 1
            if s.firstTrialTaken == nil { s.firstTrialTaken = DispatchTime.now().uptimeNanoseconds }
            return pending[s.next - 1]
        }
        guard let number else { return nil }
        let trial = plan.trial(number)   // outside the lock: the other worker need not wait for it
        shared.withLock { $0.running[number] = .init(trial: number, epoch: 0, epochs: trial.hyperparameters.epochs) }
        return trial
    }

    /// True once a stop was requested or `max_seconds` has passed (which then requests the stop).
    private func shouldStop() -> Bool {
        if let deadline, secondsThisRun >= deadline {
            shared.withLock { $0.stop = true; $0.timedOut = true }
            return true
        }
        return shared.withLock { $0.stop }
    }

    // MARK: - Writer queue

    /// Writes one finished trial: its curve, then its row (so a row always has its whole curve),
    /// then schedules one leaderboard rewrite for all the trials the writer has in hand.
    private func record(_ result: TrialResult) {
        guard shared.withLock({ $0.failure == nil }) else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { busy(since: t0) }
        do {
            let fields = columns.fields(result)
            try writeFile(Data(columns.curveText(result).utf8), to: folder.curve(result.trial.number))
            try log.append(fields)
            unlink(folder.checkpoint(result.trial.number))
            leaderboard.insert(trial: result.trial.number, metricValue: columns.metricValue(result), fields: fields)
            done += 1
            shared.withLock { $0.running[result.trial.number] = nil; $0.doneThisRun += 1 }
            busyAfterTrial.append(writerBusySeconds)
            if !flushScheduled {
                // Queued behind any results already waiting, so a burst of fast trials shares one rewrite.
                flushScheduled = true
                writer.async { self.flush() }
            }
            reporter.trialFinished(result, progress(state: "running"))
        } catch {
            fail(error)
        }
    }

    /// Rewrites `leaderboard.csv` atomically with every trial recorded so far.
    private func flush() {
        flushScheduled = false
        guard shared.withLock({ $0.failure == nil }) else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { busy(since: t0) }
        do {
            try leaderboard.write(to: folder.leaderboard)
        } catch {
            fail(error)
        }
    }

    private func busy(since t0: UInt64) {
        writerBusySeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    private func fail(_ error: Error) {
        let e = error as? NNSearchError ?? NNSearchError(.io, "\(error)")
        shared.withLock { $0.failure = e; $0.stop = true }
    }

    /// The progress as of now (call on the writer queue, or after it drained).
    private func progress(state: String, message: String? = nil) -> Progress {
        let running = shared.withLock { $0.running.values.sorted { $0.trial < $1.trial } }
        return Progress(state: state, pid: getpid(), done: done, total: plan.count, running: running,
                        metric: columns.metric.rawValue, bestTrial: leaderboard.best?.trial,
                        bestValue: leaderboard.best?.value, elapsed: elapsedBefore + secondsThisRun, message: message)
    }

    private func writeProgress(state: String, message: String? = nil) throws {
        try writeProgress(progress(state: state, message: message))
    }

    private func writeProgress(_ p: Progress) throws {
        try writeAtomically(p.json(), to: folder.progress)
    }
}
