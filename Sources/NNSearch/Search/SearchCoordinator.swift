import Foundation
import NNSearchKernel

/// One process's door to a search: its journal, the journal lock, its replica of the search's
/// state, and the views it keeps in step.
///
/// Every change goes through the journal under the lock: take the lock, read what other processes
/// appended since (`catchUp`), let the policy decide or check a claim, append, update the views,
/// release. Reading needs no lock: `refresh` replays new records only. Worker threads never wait
/// on the lock to learn whether to go on: `flags` holds what the latest replay said.
package final class SearchCoordinator: @unchecked Sendable {
    /// Timing of leases, heartbeats and the lock. A lease must outlast a heartbeat plus the lock's
    /// grace: while a frozen holder keeps the lock, nobody can append a heartbeat, and that must
    /// not make every lease in the search lapse.
    package struct Settings: Sendable {
        /// How long a claim lives without a heartbeat.
        package var lease = 60.0
        /// How often a process renews its leases.
        package var heartbeat = 5.0
        /// How long the journal lock may stay unchanged before it is broken.
        package var lockGrace = 30.0

        package init() {}
    }

    /// What worker threads check between epochs, without taking any lock but this one.
    package struct Flags: Sendable {
        /// A stop of the whole search is in force.
        package var stopped = false
        /// Trials this process holds that another process has claimed since (its lease lapsed).
        package var lost: Set<Int> = []
    }

    package let folder: SearchFolder
    package let columns: ResultColumns
    package let policy: SearchPolicy
    /// The search's trials.
    package let plan: TrialPlan
    package let settings: Settings
    /// This process's id in the journal: `host/pid/start`.
    package let process: String
    package let threads: Int
    /// Called with warnings (damaged records, rebuilt views, broken locks).
    package let warn: @Sendable (String) -> Void
    /// Called with news worth a line of output: trials this process recorded as pruned.
    package let notice: @Sendable (String) -> Void
    /// How many of the best trials keep their model in `models/` (0: none); see `ModelStore`.
    package let keepModels: Int
    /// Seconds the search had run when this process joined.
    package private(set) var elapsedAtJoin = 0.0
    private var joinedAt = 0.0

    private let file: JournalFile
    private let lock: JournalLock
    private let replica: Locked<Replica>
    package let flags = Locked(Flags())
    /// Trials this process holds and their epochs: apart from the replica, so training threads
    /// never wait behind a journal operation to report an epoch.
    private let inHand = Locked([Int: JournalRecord.TrialEpoch]())
    /// The best `keepModels` completed trials' scores (larger better) as of the latest replay.
    private let bestRanks = Locked([TrialRank]())

    private struct Replica {
        var state: SearchState
        var views: ResultViews
        /// Bytes of the journal replayed so far.
        var offset = 0
        /// Views not yet rewritten since a finish.
        var viewsDirty = false
        var viewsWritten = 0.0
        var viewsCost = 0.0
        var lastBeat = 0.0
        /// Finishes replayed by the latest `catchUp`: (process, row).
        var appended: [(process: String, row: String)] = []
    }

    private struct LockLost: Error {}

    /// `rounds`: the models each trial trains (K × R with cross-validation): a trial's epochs in
    /// claims, releases and heartbeats count across them, K × R × its epochs in all.
    package init(folder: SearchFolder, columns: ResultColumns, plan: TrialPlan, rounds: Int = 1, maxSeconds: Double?, threads: Int,
         schedule: RungSchedule? = nil, settings: Settings = Settings(), keepModels: Int = 0, warn: @escaping @Sendable (String) -> Void,
         notice: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.folder = folder
        self.keepModels = keepModels
        self.notice = notice
        self.columns = columns
        self.policy = SearchPolicy(plan: plan, maxSeconds: maxSeconds, maximize: columns.metric.maximize, rounds: rounds)
        self.plan = plan
        self.settings = settings
        self.threads = threads
        self.warn = warn
        process = "\(localHostName)/\(getpid())/\(String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36))"
        file = try JournalFile(directory: folder.path, create: false)
        lock = JournalLock(directory: folder.path, grace: settings.lockGrace)
        lock.onBreak = { warn($0) }
        replica = Locked(Replica(state: SearchState(trialCount: plan.count, schedule: schedule,
                                                             crossValidated: columns.crossValidated),
                                 views: ResultViews(folder: folder, columns: columns)))
    }

    package static func now() -> Double { Date().timeIntervalSince1970 }

    // MARK: - Reading

    /// Replays records appended since the last look, without the lock.
    package func refresh() throws {
        try replica.withLock { try catchUp(&$0, cut: false) }
    }

    /// Whether another process appended records since the last replay (a stat, no lock).
    var journalGrew: Bool {
        let offset = replica.withLock { $0.offset }
        return file.size > offset
    }

    /// Trials finished and trials in all, as last replayed.
    package var counts: (done: Int, total: Int) { replica.withLock { ($0.state.doneCount, $0.state.trialCount) } }

    /// The best trial so far and its metric value.
    package var best: (trial: Int, value: Double)? { replica.withLock { $0.views.leaderboard.best } }

    /// A copy of the state as last replayed.
    package var state: SearchState { replica.withLock { $0.state } }

    /// The training seconds of the segments `trial` ran before its latest pause (0 if it never paused).
    package func secondsBefore(_ trial: Int) -> Double {
        replica.withLock { $0.state.paused[trial]?.seconds ?? 0 }
    }

    /// Trial n as the replayed results make it (a TPE trial needs the results it learns from; a
    /// claimed one always has them, since the policy hands out only trials that can be made).
    package func trial(_ number: Int) -> Trial? {
        let maximize = columns.metric.maximize
        return replica.withLock { r in plan.trial(number, scores: { r.state.score($0, maximize: maximize) }) }
    }

    /// Whether a trial finishing now with this metric value (NaN: it did not complete) could be among
    /// the best `keepModels`, judged against the results replayed so far (never more than the final
    /// ones). Reads the best scores as of the latest replay, not the replica: no wait on a journal operation.
    package func couldKeepModel(_ trial: Int, metricValue: Double, valLoss: Double) -> Bool {
        guard keepModels > 0, !metricValue.isNaN else { return false }
        let rank = TrialRank(metric: metricValue, valLoss: valLoss, trial: trial), maximize = columns.metric.maximize
        let before = bestRanks.withLock { best in best.filter { $0.precedes(rank, maximize: maximize) }.count }
        return before < keepModels
    }

    /// Whether `trial` may still be trained by this process (no one claimed it since).
    package func mayContinue(_ trial: Int) -> Bool { !flags.withLock { $0.lost.contains(trial) } }

    /// Seconds the search has run, counting this process up to now.
    package var elapsed: Double { elapsedAtJoin + (Self.now() - joinedAt) }

    /// Whether `max_seconds` has passed.
    package var timeIsUp: Bool { policy.maxSeconds.map { elapsed >= $0 } ?? false }

    // MARK: - Writing (each under the journal lock)

    /// Joins the search: records this process and brings every view up to date.
    package func join() throws {
        try locked { r in
            let now = Self.now()
            elapsedAtJoin = r.state.elapsed(at: now)
            joinedAt = now
            try append(&r, [.join(process: process, host: localHostName, pidSpace: localPidSpace, pid: getpid(),
                                  threads: threads, lease: settings.lease, time: now)])
            try reapVanished(&r, now: now)
            r.lastBeat = now
            if let message = try r.views.syncTrials(r.state) { warn(message) }
            try writeViews(&r, now: now)
        }
    }

    /// Brings the views in line with the journal without joining (a finished search whose
    /// `trials.csv` or `leaderboard.csv` was deleted or edited).
    package func repairViews() throws {
        try locked { r in
            if let message = try r.views.syncTrials(r.state) { warn(message) }
            try writeViews(&r, now: Self.now())
        }
    }

    /// Asks the policy what to do next; a trial to train is claimed before this returns. Trials
    /// pruned by a decided rung whose results nobody recorded yet are recorded first.
    package func next() throws -> SearchPolicy.Action {
        try locked { r in
            let now = Self.now()
            try recordPrunes(&r, now: now)
            var action = policy.decide(r.state, now: now, asking: process)
            if case .wait = action, try reapVanished(&r, now: now) {
                action = policy.decide(r.state, now: now, asking: process)
            }
            if case .train(let trial, let upTo) = action { try claim(&r, trial, upTo: upTo, now: now) }
            return action
        }
    }

    /// Records this process's claim of `trial` up to `upTo` epochs and takes it in hand.
    private func claim(_ r: inout Replica, _ trial: Int, upTo: Int, now: Double) throws {
        try append(&r, [.claim(trial: trial, process: process, upTo: upTo, time: now)])
        let epoch = r.state.claims[trial]?.epoch ?? 0
        inHand.withLock { $0[trial] = .init(trial: trial, epoch: epoch, epochs: upTo) }
        flags.withLock { _ = $0.lost.remove(trial) }
    }

    /// After `next` handed out a trial: claims more to train alongside it in a group of at most
    /// `lanes` (lockstep) — the policy's companions that `joins` accepts, in order.
    package func claimAlongside(lanes: Int, joins: (Trial) -> Bool) throws -> [(trial: Trial, upTo: Int)] {
        guard lanes > 1 else { return [] }
        return try locked { r in
            let now = Self.now()
            let maximize = columns.metric.maximize
            let (limit, candidates) = policy.companions(r.state, lanes: lanes, workers: threads, window: 8 * lanes)
            var claimed: [(trial: Trial, upTo: Int)] = []
            for (number, upTo) in candidates where claimed.count < limit {
                guard let trial = plan.trial(number, scores: { r.state.score($0, maximize: maximize) }), joins(trial) else { continue }
                try claim(&r, number, upTo: upTo, now: now)
                claimed.append((trial, upTo))
            }
            return claimed
        }
    }

    /// Notes how far a trial in hand got and its metric there (reported with the next heartbeat).
    package func progressed(_ trial: Int, epoch: Int, last: EpochRecord?) {
        let metric = last.map { columns.metric == .valLoss ? $0.valLoss : $0.valMetric }
        inHand.withLock {
            $0[trial]?.epoch = epoch
            $0[trial]?.metric = metric.flatMap { $0.isFinite ? $0 : nil }
        }
    }

    /// A trial's result, or its pause at a rung, as this process hands it in.
    package struct Outcome: Sendable {
        package var trial: Int
        /// Its metric value: at the end (NaN when diverged), or at the rung it paused at.
        package var metric: Double
        /// Its CSV row without newline: as finished, or as it would be if pruned at this rung.
        package var row: String
        /// The epoch it paused at (a rung), nil when it finished.
        package var pausedAt: Int? = nil
        /// A paused trial's training seconds so far.
        package var seconds: Double = 0
        /// A paused trial's curve so far: written, under the lock, only if this process still holds the trial.
        package var curve: String? = nil

        package init(trial: Int, metric: Double, row: String, pausedAt: Int? = nil, seconds: Double = 0, curve: String? = nil) {
            self.trial = trial
            self.metric = metric
            self.row = row
            self.pausedAt = pausedAt
            self.seconds = seconds
            self.curve = curve
        }
    }

    /// Records finished trials this process still holds; returns which were accepted (a trial
    /// whose lease passed to another process is dropped: its late result is never written).
    package func record(_ results: [(trial: Int, metric: Double, row: String)]) throws -> [Bool] {
        try record(results.map { Outcome(trial: $0.trial, metric: $0.metric, row: $0.row) })
    }

    /// Records results and pauses of trials this process still holds; returns which were accepted
    /// (a trial whose lease passed to another process is dropped: its late result is never
    /// written). A pause that completes its rung has the rung's pruned trials recorded with it.
    package func record(_ outcomes: [Outcome]) throws -> [Bool] {
        try locked { r in
            let now = Self.now()
            if let message = try r.views.syncTrials(r.state) { warn(message) }
            let accepted = outcomes.map { r.state.holds(process, $0.trial) }
            var records = [JournalRecord]()
            for (o, ok) in zip(outcomes, accepted) where ok {
                if let epoch = o.pausedAt {
                    // Under the lock, as its holder: a worker that lost the trial never replaces a newer curve.
                    if let curve = o.curve { try writeAtomically(Data(curve.utf8), to: folder.curve(o.trial)) }
                    records.append(.reached(trial: o.trial, process: process, epoch: epoch, time: now, metric: o.metric,
                                            seconds: o.seconds, row: o.row))
                } else {
                    records.append(.finish(trial: o.trial, process: process, time: now, metric: o.metric, row: o.row))
                }
            }
            try appendWithRows(&r, records)
            try recordPrunes(&r, now: now)
            inHand.withLock { for o in outcomes { $0[o.trial] = nil } }
            r.viewsDirty = true
            try writeViewsIfDue(&r, now: now)
            return accepted
        }
    }

    /// Gives a trial back, checkpointed at `epoch`, so another worker continues it at once.
    package func release(_ trial: Int, epoch: Int) throws {
        try locked { r in
            inHand.withLock { _ = $0.removeValue(forKey: trial) }
            guard r.state.holds(process, trial) else { return }
            try append(&r, [.release(trial: trial, process: process, epoch: epoch, time: Self.now())])
        }
    }

    /// Forgets a trial this process lost to another.
    package func drop(_ trial: Int) {
        inHand.withLock { _ = $0.removeValue(forKey: trial) }
    }

    /// The periodic work: replay new records, renew leases when due, rewrite views left dirty.
    package func tick() throws {
        let (beatDue, viewsDue) = replica.withLock { r -> (Bool, Bool) in
            let now = Self.now()
            return (now - r.lastBeat >= settings.heartbeat, r.viewsDirty && now - r.viewsWritten >= max(0.2, 10 * r.viewsCost))
        }
        guard beatDue || viewsDue else { return try refresh() }
        try locked { r in
            let now = Self.now()
            if beatDue {
                let epochs = inHand.withLock { $0.values.sorted { $0.trial < $1.trial } }
                try append(&r, [.beat(process: process, time: now, epochs: epochs)])
                r.lastBeat = now
            }
            try writeViewsIfDue(&r, now: now)
        }
    }

    /// Leaves the search: records why, and rewrites every view.
    package func leave(reason: String, progressState: String, message: String? = nil) throws {
        try locked { r in
            let now = Self.now()
            try append(&r, [.leave(process: process, time: now, reason: reason)])
            if let message = try r.views.syncTrials(r.state) { warn(message) }
            try r.views.writeLeaderboard()
            try r.views.writeProgress(r.views.progress(r.state, now: now, stateName: progressState, message: message))
            pruneModels(r)
        }
    }

    /// Appends one record to `folder`'s journal under the lock, outside any worker process
    /// (`stop`, `resume`).
    package static func append(_ record: JournalRecord, to folder: SearchFolder, lockGrace: Double = Settings().lockGrace) throws {
        let file = try JournalFile(directory: folder.path, create: false)
        let lock = JournalLock(directory: folder.path, grace: lockGrace)
        lock.onBreak = { standardError("nnsearch: \($0)\n") }
        try lock.withLock { try file.append([record]) }
    }

    // MARK: - Inside the lock

    /// Runs `body` holding the journal lock, after replaying what others appended; retries when
    /// the lock turns out to have been broken before an append.
    private func locked<R>(_ body: (inout Replica) throws -> R) throws -> R {
        try replica.withLock { r in
            while true {
                try lock.acquire()
                do {
                    try catchUp(&r, cut: true)
                    let result = try body(&r)
                    lock.release()
                    return result
                } catch is LockLost {
                    lock.release()
                    warn("the journal lock was broken while this process held it; re-reading and retrying")
                } catch {
                    lock.release()
                    throw error
                }
            }
        }
    }

    /// Records that processes of this machine whose pid is gone (kill -9) have left, so their
    /// trials are claimable at once rather than when their leases lapse. Returns whether any was.
    @discardableResult
    private func reapVanished(_ r: inout Replica, now: Double) throws -> Bool {
        let gone = r.state.processOrder.compactMap { r.state.processes[$0] }.filter {
            $0.left == nil && $0.pidSpace == localPidSpace && $0.pid != getpid() && !Daemon.isAlive($0.pid)
        }
        guard !gone.isEmpty else { return false }
        try append(&r, gone.map { .leave(process: $0.id, time: now, reason: "vanished: pid \($0.pid) on \($0.host) is no longer running") })
        return true
    }

    /// Appends records, replays them, and appends this process's new rows to `trials.csv`.
    private func appendWithRows(_ r: inout Replica, _ records: [JournalRecord]) throws {
        guard !records.isEmpty else { return }
        try append(&r, records)
        try r.views.appendRows(r.appended.filter { $0.process == process }.map(\.row))
    }

    /// Records the trials decided rungs pruned that have no result yet: each gets a `finish` with the
    /// row of its pause (status `pruned`) and loses its checkpoint. The records depend only on the
    /// rungs' results, so whichever process appends them, the search's results are the same.
    private func recordPrunes(_ r: inout Replica, now: Double) throws {
        let prunes = r.state.pendingPrunes
        guard !prunes.isEmpty else { return }
        if let message = try r.views.syncTrials(r.state) { warn(message) }
        let epochs = Dictionary(grouping: prunes.map(\.trial)) { r.state.paused[$0]?.epoch ?? 0 }
        try FaultInjection.check("append:prunes")
        // NaN, as `ResultColumns.metricValue` gives any result that did not complete: a pruned trial
        // ranks after every completed one, like a diverged one, and is never the best.
        try appendWithRows(&r, prunes.map { .finish(trial: $0.trial, process: process, time: now, metric: .nan, row: $0.row) })
        for trial in prunes.map(\.trial) { unlink(folder.checkpoint(trial)) }
        r.viewsDirty = true
        let (done, total) = (r.state.doneCount, r.state.trialCount)
        for (epoch, trials) in epochs.sorted(by: { $0.key < $1.key }) {
            let listed = trials.prefix(12).map(String.init).joined(separator: ", ") + (trials.count > 12 ? ", …" : "")
            notice("[\(done)/\(total)] \(trials.count) trial\(trials.count == 1 ? "" : "s") pruned at epoch \(epoch): \(listed)")
        }
    }

    /// Appends records and replays them (with anything that came before them).
    private func append(_ r: inout Replica, _ records: [JournalRecord]) throws {
        guard !records.isEmpty else { return }
        guard lock.isHeld else { throw LockLost() }
        try file.append(records)
        try catchUp(&r, cut: false)
    }

    /// Replays new records into the replica; with `cut` (holding the lock) cuts a torn tail.
    private func catchUp(_ r: inout Replica, cut: Bool) throws {
        let scan = try file.read(from: r.offset)
        r.appended = []
        for problem in scan.problems {
            warn("\(file.path): skipped \(problem)")
        }
        var finished = false
        for entry in scan.entries {
            let before = r.state.ignored.count
            if case .finished(let f, let row) = r.state.apply(entry.record, at: entry.offset) {
                r.views.add(f, row: row)
                r.appended.append((f.process, row))
                finished = true
            }
            for ignored in r.state.ignored[before...] { warn("\(file.path): ignored the record at \(ignored)") }
        }
        r.offset = scan.settled
        if cut, scan.tail > 0 {
            try file.cut(at: scan.settled)
            warn("\(file.path): cut a torn record of \(scan.tail) bytes at byte \(scan.settled) (a writer was killed mid-append)")
        }
        if finished, keepModels > 0 {
            let best = r.views.leaderboard.top(keepModels)
            bestRanks.withLock { $0 = best }
        }
        if finished || !scan.entries.isEmpty {
            let state = r.state
            let mine = inHand.withLock { Set($0.keys) }
            flags.withLock { f in
                f.stopped = state.stopped
                for trial in mine where !state.holds(process, trial) { f.lost.insert(trial) }
            }
        }
    }

    private func writeViewsIfDue(_ r: inout Replica, now: Double) throws {
        guard r.viewsDirty else { return }
        if r.state.isComplete || now - r.viewsWritten >= 10 * r.viewsCost {
            try writeViews(&r, now: now)
        }
    }

    /// Removes the models of finished trials outside the best `keepModels` (under the lock).
    private func pruneModels(_ r: Replica) {
        guard keepModels > 0 else { return }
        let state = r.state
        ModelStore.prune(folder, best: Set(r.views.leaderboard.top(keepModels).map(\.trial)), finished: { state.finished[$0] != nil })
    }

    private func writeViews(_ r: inout Replica, now: Double) throws {
        let t0 = Self.now()
        pruneModels(r)
        try r.views.writeLeaderboard()
        try r.views.writeProgress(r.views.progress(r.state, now: now, stateName: r.state.isComplete ? "finished" : "running"))
        r.viewsDirty = false
        r.viewsWritten = Self.now()
        r.viewsCost = r.viewsWritten - t0
    }
}
