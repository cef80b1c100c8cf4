import NNSearchKernel
/// A search's state: what replaying its journal says, record by record (a pure value).
///
/// Replay is deterministic: the first `finish` of a trial wins and later ones are ignored; a
/// `finish` from a process that no longer holds the trial's latest claim (its lease expired and
/// another process claimed the trial) is a late result and is discarded. Records that make no
/// sense (a trial out of range, a row that is not that trial's) are reported with their byte
/// position, never applied, so a damaged journal can never produce more rows than trials.
///
/// When the search prunes, a `reached` record pauses a trial at a rung (its claim ends; it waits
/// for its rung's decision) and `ledger` makes the decisions: promoted trials become claimable
/// again, pruned ones wait for the `finish` (status `pruned`, the row of their `reached` record)
/// that the first process to see the decision appends.
package struct SearchState: Sendable {
    /// How many trials the search has.
    package let trialCount: Int
    /// The lease a claim of an unknown process (its `join` was lost) gets, in seconds.
    package static let defaultLease = 30.0

    /// A finished trial as its `finish` record gave it (its row goes to the views, not kept here).
    package struct Finished: Sendable {
        package var trial: Int
        package var metric: Double
        /// Its row's validation loss, which breaks ties of the metric (`TrialRank`).
        package var valLoss: Double
        package var process: String
        package var time: Double

        /// Where it ranks.
        package var rank: TrialRank { TrialRank(metric: metric, valLoss: valLoss, trial: trial) }
    }

    /// The latest claim of an unfinished trial.
    package struct Claim: Sendable {
        package var process: String
        package var upTo: Int
        package var time: Double
        /// Given back (stop, time limit): claimable at once, continuing from `epoch`.
        package var released = false
        /// Epochs done as last reported (release or heartbeat).
        package var epoch = 0
    }

    /// An unfinished trial paused at a rung, as its latest `reached` record gave it.
    package struct Paused: Sendable {
        package var epoch: Int
        package var metric: Double
        /// Its training seconds so far.
        package var seconds: Double
        /// Its row if its rung prunes it.
        package var row: String
        package var process: String
        package var time: Double
    }

    /// A worker process as its `join`, `beat` and `leave` records describe it.
    package struct Process: Sendable {
        package var id: String
        package var host: String
        package var pidSpace: String
        package var pid: Int32
        package var threads: Int
        package var lease: Double
        package var joined: Double
        package var lastSeen: Double
        /// Why it left, once it did.
        package var left: String? = nil
        /// Trials in hand and their epochs, from its latest heartbeat.
        package var epochs: [JournalRecord.TrialEpoch] = []

        /// Whether it counts as running at time `now`: it has not left and its lease is fresh.
        package func isLive(at now: Double) -> Bool { left == nil && now < lastSeen + lease }
    }

    /// A record that was read but not applied, and why.
    package struct Ignored: Sendable, CustomStringConvertible {
        package var offset: Int
        package var reason: String
        package var description: String { "byte \(offset): \(reason)" }
    }

    package private(set) var finished: [Int: Finished] = [:]
    /// Finished trials in the order their `finish` records were appended (the order of `trials.csv`).
    package private(set) var finishOrder: [Int] = []
    /// Claims of trials not finished yet.
    package private(set) var claims: [Int: Claim] = [:]
    /// Unfinished trials that paused at a rung (pruning only), with their latest pause.
    package private(set) var paused: [Int: Paused] = [:]
    /// The rungs' reports and decisions, when the search prunes.
    package private(set) var ledger: RungLedger?
    package private(set) var processes: [String: Process] = [:]
    /// Process ids in the order they joined.
    package private(set) var processOrder: [String] = []
    /// A stop is in force (`stop` after the latest `resume`).
    package private(set) var stopped = false
    /// Records that were not applied.
    package private(set) var ignored: [Ignored] = []
    /// The latest `leave` and its time: how the last run ended.
    package private(set) var lastLeave: (reason: String, time: Double)? = nil
    /// Every trial below it was claimed or finished at some point.
    package private(set) var frontier = 0
    /// Trials at or above `frontier` that were claimed or finished.
    private var touchedAboveFrontier: Set<Int> = []

    /// Fields after `val_loss` in the rows (`ResultColumns.fieldsAfterValLoss`): where ties are broken.
    private let fieldsAfterValLoss: Int

    package init(trialCount: Int, schedule: RungSchedule? = nil, crossValidated: Bool = false) {
        self.trialCount = trialCount
        fieldsAfterValLoss = ResultColumns.fieldsAfterValLoss(crossValidated: crossValidated)
        ledger = schedule.map(RungLedger.init)
    }

    package var doneCount: Int { finished.count }
    package var isComplete: Bool { finished.count == trialCount }

    /// What applying a record did, for the views.
    package enum Applied: Sendable {
        case none
        /// A trial finished: its row goes to the views.
        case finished(Finished, row: String)
    }

    // MARK: - Replay

    /// Applies one record read at byte `offset`.
    @discardableResult
    package mutating func apply(_ record: JournalRecord, at offset: Int) -> Applied {
        switch record {
        case let .join(process, host, pidSpace, pid, threads, lease, time):
            if processes[process] == nil { processOrder.append(process) }
            processes[process] = Process(id: process, host: host, pidSpace: pidSpace, pid: pid, threads: threads, lease: lease,
                                         joined: time, lastSeen: time)
        case let .beat(process, time, epochs):
            guard var p = processes[process] else { return ignore(offset, "a heartbeat of process \(process), which never joined") }
            p.lastSeen = max(p.lastSeen, time)
            p.epochs = epochs
            processes[process] = p
            for e in epochs where claims[e.trial]?.process == process { claims[e.trial]?.epoch = e.epoch }
        case let .leave(process, time, reason):
            if var p = processes[process] {
                p.left = reason
                p.lastSeen = max(p.lastSeen, time)
                p.epochs = []
                processes[process] = p
            }
            lastLeave = (reason, time)
        case let .claim(trial, process, upTo, time):
            guard trial < trialCount else { return ignore(offset, "a claim of trial \(trial), but the search has \(trialCount) trials") }
            guard finished[trial] == nil else { return .none }
            let epoch = claims[trial]?.epoch ?? paused[trial]?.epoch ?? 0
            claims[trial] = Claim(process: process, upTo: upTo, time: time, epoch: epoch)
            ledger?.claimed(trial)
            touch(trial)
            if var p = processes[process] { p.lastSeen = max(p.lastSeen, time); processes[process] = p }
        case let .release(trial, process, epoch, _):
            guard claims[trial]?.process == process else { return .none }
            claims[trial]?.released = true
            claims[trial]?.epoch = epoch
        case let .finish(trial, process, time, metric, row):
            guard trial < trialCount else { return ignore(offset, "a result for trial \(trial), but the search has \(trialCount) trials") }
            guard finished[trial] == nil else { return .none }   // the first finish wins
            guard row.hasPrefix("\(trial),") else { return ignore(offset, "a result for trial \(trial) whose row is not that trial's") }
            if let claim = claims[trial], claim.process != process {
                return ignore(offset, "a late result for trial \(trial) from \(process), whose lease had passed to \(claim.process)")
            }
            // The process's id from its join, so thousands of results share one string.
            let f = Finished(trial: trial, metric: metric, valLoss: ResultColumns.valLoss(inRow: row, fieldsAfterValLoss: fieldsAfterValLoss),
                             process: processes[process]?.id ?? process, time: time)
            finished[trial] = f
            finishOrder.append(trial)
            claims[trial] = nil
            paused[trial] = nil
            ledger?.finished(trial, metric: metric)
            touch(trial)
            return .finished(f, row: row)
        case let .reached(trial, process, epoch, time, metric, seconds, row):
            guard trial < trialCount else { return ignore(offset, "a pause of trial \(trial), but the search has \(trialCount) trials") }
            guard finished[trial] == nil else { return .none }
            guard row.hasPrefix("\(trial),") else { return ignore(offset, "a pause of trial \(trial) whose row is not that trial's") }
            if let claim = claims[trial], claim.process != process {
                return ignore(offset, "a late pause of trial \(trial) from \(process), whose lease had passed to \(claim.process)")
            }
            if claims[trial] == nil, let p = paused[trial], p.epoch >= epoch { return .none }   // already paused there
            if let ledger, let problem = ledger.problem(pausing: trial, at: epoch) { return ignore(offset, problem) }
            paused[trial] = Paused(epoch: epoch, metric: metric, seconds: seconds, row: row, process: processes[process]?.id ?? process, time: time)
            claims[trial] = nil
            touch(trial)
            ledger?.paused(trial, metric: metric)
        case .stop:
            stopped = true
        case .resume:
            stopped = false
        }
        return .none
    }

    private mutating func ignore(_ offset: Int, _ reason: String) -> Applied {
        ignored.append(Ignored(offset: offset, reason: reason))
        return .none
    }

    private mutating func touch(_ trial: Int) {
        guard trial >= frontier else { return }
        touchedAboveFrontier.insert(trial)
        while touchedAboveFrontier.remove(frontier) != nil { frontier += 1 }
    }

    // MARK: - Questions

    /// Whether no process ever claimed or finished `trial`.
    package func neverClaimed(_ trial: Int) -> Bool { trial >= frontier && !touchedAboveFrontier.contains(trial) }

    /// How many trials no process ever claimed or finished.
    package var neverClaimedCount: Int { trialCount - frontier - touchedAboveFrontier.count }

    /// Trials the rungs' decisions pruned whose `finish` is not recorded yet, ascending, with the
    /// row each gets (its pause's).
    package var pendingPrunes: [(trial: Int, row: String)] {
        guard let ledger, !ledger.pruned.isEmpty else { return [] }
        return ledger.pruned.sorted().compactMap { trial in paused[trial].map { (trial, $0.row) } }
    }

    /// A finished trial's score for a strategy that learns (TPE): its metric, larger better, −∞ when
    /// it diverged; nil while it is unfinished.
    package func score(_ trial: Int, maximize: Bool) -> Double? {
        guard let metric = finished[trial]?.metric else { return nil }
        return metric.isNaN ? -.infinity : (maximize ? metric : -metric)
    }

    /// The epochs trial n trains to when claimed now: its current rung's when the search prunes.
    package func rungEpochs(_ trial: Int) -> Int? { ledger?.upTo(trial) }

    /// Whether `process` is live at `now` (an unknown process is not; its claims lapse by `defaultLease`).
    package func isLive(_ process: String, at now: Double) -> Bool {
        processes[process]?.isLive(at: now) ?? false
    }

    /// When the claim on `trial` lapses unless renewed (nil when it is released or unknown).
    package func leaseExpiry(of trial: Int) -> Double? {
        guard let claim = claims[trial], !claim.released else { return nil }
        if let p = processes[claim.process] {
            return p.left == nil ? p.lastSeen + p.lease : nil
        }
        return claim.time + Self.defaultLease
    }

    /// Whether `trial` is held by a live claim at `now`.
    package func isHeld(_ trial: Int, at now: Double) -> Bool {
        guard let expiry = leaseExpiry(of: trial) else { return false }
        return now < expiry
    }

    /// Whether the latest claim of `trial` is `process`'s (and it is unfinished).
    package func holds(_ process: String, _ trial: Int) -> Bool {
        claims[trial]?.process == process && finished[trial] == nil
    }

    /// Processes live at `now`, in joining order.
    package func liveProcesses(at now: Double) -> [Process] {
        processOrder.compactMap { processes[$0] }.filter { $0.isLive(at: now) }
    }

    /// Trials held by a live lease at `now` and the epochs they reached (from the latest heartbeat), by trial.
    package func running(at now: Double) -> [Progress.RunningTrial] {
        var running = [Progress.RunningTrial]()
        for p in liveProcesses(at: now) {
            for e in p.epochs where holds(p.id, e.trial) {
                running.append(.init(trial: e.trial, epoch: e.epoch, epochs: e.epochs, metric: e.metric))
            }
        }
        let reported = Set(running.map(\.trial))
        for (trial, claim) in claims where isHeld(trial, at: now) && !reported.contains(trial) {
            running.append(.init(trial: trial, epoch: claim.epoch, epochs: claim.upTo))
        }
        return running.sorted { $0.trial < $1.trial }
    }

    /// Claims whose lease lapsed without a release (their process was killed or froze), by trial.
    package func expiredClaims(at now: Double) -> [(trial: Int, claim: Claim)] {
        claims.filter { !$0.value.released && !isHeld($0.key, at: now) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Seconds the search has run: the union of its processes' lifetimes (a live one's up to `now`).
    package func elapsed(at now: Double) -> Double {
        var spans = processOrder.compactMap { id -> (Double, Double)? in
            guard let p = processes[id] else { return nil }
            let end = p.isLive(at: now) ? max(now, p.lastSeen) : p.lastSeen
            return end > p.joined ? (p.joined, end) : nil
        }
        spans.sort { $0.0 < $1.0 }
        var total = 0.0
        var current: (Double, Double)? = nil
        for s in spans {
            if let c = current, s.0 <= c.1 {
                current = (c.0, max(c.1, s.1))
            } else {
                if let c = current { total += c.1 - c.0 }
                current = s
            }
        }
        if let c = current { total += c.1 - c.0 }
        return total
    }
}
