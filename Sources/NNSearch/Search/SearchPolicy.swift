import NNSearchKernel
/// Decides what a worker does next from the search's state: a pure value, run under the journal lock.
///
/// Every strategy: the lowest-numbered trial that nobody holds — one given back or whose
/// lease lapsed first (it continues from its checkpoint), else the next never claimed — trained
/// to its last epoch. With pruning, a trial trains to its current rung (`SearchState.rungEpochs`),
/// and trials its rung promoted are claimable too (the lowest-numbered candidate of all goes
/// first); the rungs' decisions are made in `SearchState`, from complete rungs only, never by
/// arrival order. A TPE trial is taken only once the results it learns from are in (trials below
/// n − lag); until then the worker waits.
package struct SearchPolicy: Sendable {
    /// What a worker should do.
    package enum Action: Equatable, Sendable {
        /// Train trial `trial` until it has `upTo` epochs (or diverges).
        case train(trial: Int, upTo: Int)
        /// Nothing to take now (every open trial is held by a live lease); ask again after `seconds`.
        case wait(seconds: Double)
        /// Nothing is left to do, for this reason.
        case done(Ending)
    }

    /// Why there is nothing left to do.
    package enum Ending: String, Equatable, Sendable {
        case finished
        case stopped
        case timeLimit = "time limit"
    }

    /// The epochs trial n trains for, nil while it cannot be made (a TPE trial waiting for results).
    package let epochs: @Sendable (Int, SearchState) -> Int?
    /// The search's wall-clock budget, across all processes.
    package let maxSeconds: Double?

    /// The policy of a plan; `maximize` says which way its metric is better (for TPE's scores);
    /// a trial trains `rounds` models one after another (cross-validation's folds × repeats), its
    /// epochs counted across them.
    package init(plan: TrialPlan, maxSeconds: Double?, maximize: Bool, rounds: Int = 1) {
        self.epochs = { n, state in
            plan.trial(n, scores: { state.score($0, maximize: maximize) }).map { $0.hyperparameters.epochs * rounds }
        }
        self.maxSeconds = maxSeconds
    }

    package init(maxSeconds: Double?, epochs: @escaping @Sendable (Int) -> Int) {
        self.epochs = { n, _ in epochs(n) }
        self.maxSeconds = maxSeconds
    }

    /// The next action for a worker of process `asking` at time `now` (Unix seconds). Trials the
    /// asking process holds count as held whatever their leases say: it is alive, since it asks
    /// (after a suspend its leases may have lapsed while its threads still train them).
    package func decide(_ state: SearchState, now: Double, asking: String? = nil) -> Action {
        if state.isComplete { return .done(.finished) }
        if state.stopped { return .done(.stopped) }
        if let maxSeconds, state.elapsed(at: now) >= maxSeconds { return .done(.timeLimit) }
        var candidate: Int? = nil
        var nextExpiry = Double.infinity
        for (trial, claim) in state.claims {
            if claim.process == asking && !claim.released { continue }
            if let expiry = state.leaseExpiry(of: trial), now < expiry {
                nextExpiry = min(nextExpiry, expiry)
            } else if candidate.map({ trial < $0 }) ?? true {
                candidate = trial
            }
        }
        if state.frontier < state.trialCount, candidate.map({ state.frontier < $0 }) ?? true {
            candidate = state.frontier
        }
        if let promoted = state.ledger?.firstPromoted, candidate.map({ promoted < $0 }) ?? true {
            candidate = promoted
        }
        if state.ledger == nil, !state.paused.isEmpty,
           let paused = state.paused.keys.filter({ state.claims[$0] == nil }).min(), candidate.map({ paused < $0 }) ?? true {
            // Paused at a rung by a spec that pruned (the folder's spec.json, edited by hand, took the pruning away): it runs on to its end.
            candidate = paused
        }
        if let candidate, let upTo = state.rungEpochs(candidate) ?? epochs(candidate, state) {
            return .train(trial: candidate, upTo: upTo)
        }
        return .wait(seconds: min(max(nextExpiry - now, 0.05), 1))
    }

    /// The trials a worker just handed one may take along to train beside it (a lockstep group of
    /// at most `lanes`), in the order to consider them: never-claimed trials among the next `window`
    /// from the frontier, each with the epochs `decide` would give it; and how many of them it may
    /// take — an even share of the never-claimed trials among `workers` (rounded up: a group trains
    /// a trial for a fraction of what it costs alone), so that one worker's group does not leave
    /// the others idle.
    package func companions(_ state: SearchState, lanes: Int, workers: Int, window: Int) -> (limit: Int, candidates: [(trial: Int, upTo: Int)]) {
        let w = max(1, workers)
        let limit = max(0, min(lanes - 1, (state.neverClaimedCount + w - 1) / w))
        guard limit > 0, !state.isComplete, !state.stopped else { return (0, []) }
        var candidates: [(trial: Int, upTo: Int)] = []
        for n in state.frontier..<min(state.trialCount, state.frontier + window) where state.neverClaimed(n) {
            if let upTo = state.rungEpochs(n) ?? epochs(n, state) { candidates.append((n, upTo)) }
        }
        return (limit, candidates)
    }
}
