import Foundation
import NNSearchKernel

/// Runs the policy's work items on N concurrent Dispatch workers that share the kernel and the
/// read-only data: claim a trial, continue it from its checkpoint, train epoch by epoch, hand the
/// result to the sink. It trains; the coordinator, the checkpoint store and the sink write.
///
/// Between epochs a worker checks whether to go on: a stop (this process's or the search's), the
/// time limit, or its trial's lease lost to another process (then the work is dropped unwritten).
package final class Executor: @unchecked Sendable {
    /// How this process's work ended.
    package enum Ending: Equatable, Sendable {
        case finished
        /// The search was stopped (`nnsearch stop`).
        case stopped
        /// This process was asked to stop (a signal).
        case interrupted
        case timeLimit
        case failed(NNSearchError)
    }

    /// Trial and checkpoint seconds of each trial run (for the benchmark), called from workers.
    package typealias Observer = @Sendable (_ trialSeconds: Double, _ checkpointSeconds: Double) -> Void

    package let workers: Int
    /// How many tiny trials a worker trains side by side (`Lockstep`; 1: each alone); the results are the same either way.
    private let lockstepLanes: Int
    private let coordinator: SearchCoordinator
    private let checkpoints: CheckpointStore
    private let sink: ResultSink
    /// Where the best trials' models go (nil: none are kept).
    private let models: ModelStore?
    private let observer: Observer
    private let localStop = Locked(false)
    private let failure = Locked<NNSearchError?>(nil)
    /// The latest measured checkpoint write, seconds (2 ms before any).
    private let checkpointCost = Locked(0.002)
    /// Wakes workers waiting for a trial when results were recorded (their claims are gone).
    private let wake = NSCondition()
    private var recorded = 0   // under `wake`

    init(workers: Int, coordinator: SearchCoordinator, checkpoints: CheckpointStore,
         sink: ResultSink, models: ModelStore? = nil, lockstepLanes: Int = Lockstep.lanes, observer: @escaping Observer = { _, _ in }) {
        self.workers = max(1, workers)
        self.lockstepLanes = min(max(1, lockstepLanes), Lockstep.lanes)
        self.models = models
        self.coordinator = coordinator
        self.checkpoints = checkpoints
        self.sink = sink
        self.observer = observer
        sink.onRecorded = { [weak self] in
            guard let self else { return }
            wake.lock()
            recorded += 1
            wake.broadcast()
            wake.unlock()
        }
    }

    /// Asks this process's workers to stop after their current epoch.
    package func requestStop() { localStop.withLock { $0 = true } }

    /// Runs until no work is left for this process; `tick` runs on the calling thread about five
    /// times a second meanwhile (heartbeats, replay).
    package func run(tick: () -> Void) -> Ending {
        let group = DispatchGroup()
        for i in 0..<workers {
            // A serial queue of its own per worker: each gets a thread for as long as it trains.
            DispatchQueue(label: "nnsearch.worker.\(i)").async(group: group) { self.work() }
        }
        while group.wait(timeout: .now() + 0.2) == .timedOut { tick() }
        sink.drain()
        if let e = failure.current ?? sink.error { return .failed(e) }
        if localStop.current { return .interrupted }
        let state = coordinator.state
        if state.isComplete { return .finished }
        if state.stopped { return .stopped }
        if coordinator.timeIsUp { return .timeLimit }
        return .finished   // nothing left for this process: the rest is held by others
    }

    // MARK: - Workers

    private var stopping: Bool {
        localStop.current || failure.current != nil || sink.error != nil
            || coordinator.flags.withLock { $0.stopped } || coordinator.timeIsUp
    }

    private func work() {
        do {
            while !stopping {
                let seen = wake.withLock { recorded }
                switch try coordinator.next() {
                case .done:
                    return
                case .wait(let seconds):
                    // Until this process records a result (the trial held may have been the last),
                    // another process appends to the journal, a lease may have lapsed, or a stop is due.
                    let deadline = Date().addingTimeInterval(min(seconds, 1))
                    wake.lock()
                    while recorded == seen, Date() < deadline, !coordinator.journalGrew, !stopping {
                        _ = wake.wait(until: min(deadline, Date().addingTimeInterval(0.01)))
                    }
                    wake.unlock()
                case .train(let number, let upTo):
                    guard let trial = coordinator.trial(number) else {
                        throw NNSearchError(.software, "trial \(number) was handed out before the results it learns from were in")
                    }
                    // A tiny net takes the trials after it of its key (shape, rule, batch) along: lockstep.
                    var group = [(trial: trial, upTo: upTo)]
                    if lockstepLanes > 1, let key = checkpoints.lockstepKey(trial) {
                        group += try coordinator.claimAlongside(lanes: lockstepLanes) { checkpoints.lockstepKey($0) == key }
                    }
                    try train(group)
                }
            }
        } catch {
            let e = error as? NNSearchError ?? NNSearchError(.io, "\(error)")
            failure.withLock { if $0 == nil { $0 = e } }
        }
    }

    /// A claimed trial in training: its runner, checkpoint cadence and seconds so far.
    private final class Member {
        let trial: Trial
        let upTo: Int
        let runner: any TrialTraining
        var cadence: Checkpointing
        /// Seconds of the segments before its latest pause (a trial promoted from a rung counts them too).
        let earlier: Double
        /// Its share of this run's seconds: each epoch's time divided among the trials that trained it together.
        var seconds = 0.0
        var closed = false

        init(trial: Trial, upTo: Int, runner: any TrialTraining, cadence: Checkpointing, earlier: Double) {
            self.trial = trial
            self.upTo = upTo
            self.runner = runner
            self.cadence = cadence
            self.earlier = earlier
        }
    }

    /// Trains claimed trials up to their `upTo` epochs, or until they must stop, epoch by epoch
    /// together (a lockstep group, or one trial). Reaching `upTo` before its last epoch is a pause at
    /// a rung (pruning): the trial checkpoints there, whatever the cadence, and is handed in as
    /// paused; reaching its last epoch (or diverging) finishes it. With cross-validation the epochs
    /// count across its folds, which it trains one after another.
    private func train(_ group: [(trial: Trial, upTo: Int)]) throws {
        let members = group.map(open)
        defer {
            for m in members {
                observer(m.seconds, m.cadence.seconds)
                if m.cadence.seconds > 0 { checkpointCost.withLock { $0 = m.cadence.lastCost } }
            }
        }
        while true {
            var active: [Member] = []
            for m in members where !m.closed {
                let number = m.trial.number
                if m.runner.epochsDone >= m.upTo || m.runner.isFinished {
                    try close(m)
                } else if !coordinator.mayContinue(number) {
                    coordinator.drop(number)
                    coordinator.warn("trial \(number): its lease passed to another process; dropping it at epoch \(m.runner.epochsDone)")
                    m.closed = true
                } else if stopping {
                    try m.cadence.save(m.runner)
                    try coordinator.release(number, epoch: m.runner.epochsDone)
                    m.closed = true
                } else {
                    active.append(m)
                }
            }
            if active.isEmpty { return }
            let t0 = DispatchTime.now().uptimeNanoseconds
            Executor.trainEpoch(active.map(\.runner))
            for m in active {
                let number = m.trial.number
                coordinator.progressed(number, epoch: m.runner.epochsDone, last: m.runner.latest)
                // A worker that was frozen may wake after another finished its trial: no checkpoint then.
                if !m.runner.isFinished && coordinator.mayContinue(number) { try m.cadence.afterEpoch(m.runner) }
            }
            let share = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(active.count)
            for m in active { m.seconds += share }
        }
    }

    /// The next epoch of each runner: those of one lockstep key in groups of up to `Lockstep.lanes`, the rest one by one.
    static func trainEpoch(_ runners: [any TrialTraining]) {
        var groups: [Lockstep.Key: [TrialRunner]] = [:]
        var keys: [Lockstep.Key] = []
        for runner in runners {
            guard runners.count > 1, let single = runner as? TrialRunner, let key = Lockstep.key(single) else {
                runner.trainEpoch()
                continue
            }
            if groups[key] == nil { keys.append(key) }
            groups[key, default: []].append(single)
        }
        for key in keys {
            let all = groups[key]!
            for start in stride(from: 0, to: all.count, by: Lockstep.lanes) {
                Lockstep.runEpoch(Array(all[start..<min(start + Lockstep.lanes, all.count)]))
            }
        }
    }

    /// A claimed trial's runner, from its checkpoint when it has one.
    private func open(_ claim: (trial: Trial, upTo: Int)) -> Member {
        let (trial, upTo) = claim
        var runner = checkpoints.runner(for: trial) { coordinator.warn($0) }
        if runner.epochsDone > upTo {
            // Only a checkpoint from another spec (the folder's spec.json edited by hand to add pruning) can be past the rung.
            coordinator.warn("trial \(trial.number): its checkpoint holds \(runner.epochsDone) epochs, past its rung at \(upTo); it restarts from its first epoch")
            checkpoints.remove(trial.number)
            runner = checkpoints.runner(for: trial) { coordinator.warn($0) }
        }
        let cadence = checkpoints.cadence(for: trial, epochs: runner.epochsDone, estimatedCost: checkpointCost.current)
        coordinator.progressed(trial.number, epoch: runner.epochsDone, last: runner.latest)
        return Member(trial: trial, upTo: upTo, runner: runner, cadence: cadence, earlier: coordinator.secondsBefore(trial.number))
    }

    /// Hands in a trial that reached its rung (a pause) or its end.
    private func close(_ m: Member) throws {
        m.closed = true
        let (trial, runner, number) = (m.trial, m.runner, m.trial.number)
        let seconds = m.earlier + m.seconds
        if !runner.isFinished {
            // Paused at a rung: the checkpoint must hold it until the rung promotes or prunes it.
            guard coordinator.mayContinue(number) else {
                coordinator.drop(number)
                coordinator.warn("trial \(number): its lease passed to another process; dropping its pause at epoch \(runner.epochsDone)")
                return
            }
            try m.cadence.save(runner)
            sink.submitPause(TrialResult(trial: trial, status: .pruned, records: runner.curve, seconds: seconds))
            return
        }
        let status: TrialStatus = runner.diverged ? .diverged : .completed
        let result = TrialResult(trial: trial, status: status, records: runner.curve, seconds: seconds, spread: runner.spread)
        try keepModel(trial, runner: runner, result: result)
        sink.submit(result)
    }

    /// Writes a finished trial's model when it could be among the best `keep_models` now: before its
    /// result is handed in, so a kill never leaves a recorded top trial without its model.
    private func keepModel(_ trial: Trial, runner: any TrialTraining, result: TrialResult) throws {
        // Cross-validated trials (a `FoldRunner`) have one model per fold: none is kept.
        guard let models, let single = runner as? TrialRunner, result.status == .completed,
              coordinator.mayContinue(trial.number) else { return }
        let metric = coordinator.columns.metricValue(result)
        guard coordinator.couldKeepModel(trial.number, metricValue: metric, valLoss: result.last?.valLoss ?? .nan) else { return }
        do {
            try models.write(models.model(trial, runner: single, result: result, metricValue: metric))
        } catch let error as NNSearchError where error.kind == .data {
            coordinator.warn("trial \(trial.number): its model is not kept: \(error.message)")
        }
    }
}
