import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Worker processes driving `SearchPolicy` and `SearchState` through journal records, without
/// threads or files: a worker asks the policy, claims, "trains" at once to the epoch it was given
/// and reports what `metric(trial, epoch)` says (NaN: diverged at that epoch) — a pause at a rung,
/// or a finish at its last epoch. Before deciding, a worker records the pending prunes, as
/// `SearchCoordinator.next()` does under the lock.
struct PruningSimulation {
    let policy: SearchPolicy
    let epochs: @Sendable (Int) -> Int
    let metric: (Int, Int) -> Double
    private(set) var state: SearchState
    /// Every record applied, in order.
    private(set) var records: [JournalRecord] = []
    /// Trials in each worker's hand (claimed, not reported yet) and the epoch they train to.
    private(set) var inHand: [String: (trial: Int, upTo: Int)] = [:]
    /// The epochs each trial reached.
    private(set) var reachedEpochs: [Int: Int] = [:]
    private var now = 1000.0

    init(trials: Int, pruning: Pruning, maximize: Bool = true, epochs: @escaping @Sendable (Int) -> Int,
         maxEpochs: Int? = nil, seed: UInt64 = 0, metric: @escaping (Int, Int) -> Double) {
        let maxEpochs = maxEpochs ?? (0..<trials).map(epochs).max() ?? 1
        let schedule = RungSchedule(pruning: pruning, seed: seed, trialCount: trials, maxEpochs: maxEpochs, maximize: maximize, epochs: epochs)
        state = SearchState(trialCount: trials, schedule: schedule)
        policy = SearchPolicy(maxSeconds: nil, epochs: epochs)
        self.epochs = epochs
        self.metric = metric
    }

    var ledger: RungLedger { state.ledger! }

    mutating func apply(_ record: JournalRecord) {
        state.apply(record, at: 100 * records.count)
        records.append(record)
    }

    /// What `process` does next: report the trial in its hand, or record pending prunes, ask and claim.
    /// Returns the policy's action when it asked.
    @discardableResult
    mutating func step(_ process: String) -> SearchPolicy.Action? {
        now += 0.25
        if let (trial, upTo) = inHand[process] {
            report(trial, upTo: upTo, by: process)
            inHand[process] = nil
            return nil
        }
        for prune in state.pendingPrunes {
            apply(.finish(trial: prune.trial, process: process, time: now, metric: .nan, row: prune.row))
        }
        let action = policy.decide(state, now: now, asking: process)
        if case let .train(trial, upTo) = action {
            apply(.claim(trial: trial, process: process, upTo: upTo, time: now))
            inHand[process] = (trial, upTo)
        }
        return action
    }

    private mutating func report(_ trial: Int, upTo: Int, by process: String) {
        let from = state.claims[trial]?.epoch ?? 0
        for epoch in (from + 1)...max(from + 1, upTo) where metric(trial, epoch).isNaN {
            reachedEpochs[trial] = epoch
            return apply(.finish(trial: trial, process: process, time: now, metric: .nan, row: "\(trial),diverged,\(epoch)"))
        }
        reachedEpochs[trial] = upTo
        let m = metric(trial, upTo)
        if upTo == epochs(trial) {
            apply(.finish(trial: trial, process: process, time: now, metric: m, row: "\(trial),completed,\(upTo)"))
        } else {
            apply(.reached(trial: trial, process: process, epoch: upTo, time: now, metric: m, seconds: 0, row: "\(trial),pruned,\(upTo)"))
        }
    }

    /// Runs workers until the search is complete, choosing who acts next at random from `seed`
    /// (or in turn without one).
    mutating func run(workers: [String], seed: UInt64? = nil, limit: Int = 100_000,
                      file: StaticString = #filePath, line: UInt = #line) {
        var random = seed.map { Random(seed: $0) }
        var steps = 0
        while !state.isComplete && steps < limit {
            let w = random != nil ? workers[random!.next(below: workers.count)] : workers[steps % workers.count]
            step(w)
            steps += 1
        }
        XCTAssertTrue(state.isComplete, "not complete after \(limit) steps", file: file, line: line)
    }

    /// The status each trial finished with (from the rows the simulation writes), by trial.
    var statuses: [Int: String] {
        var out = [Int: String]()
        for record in records {
            if case let .finish(trial, _, _, _, row) = record, out[trial] == nil { out[trial] = String(row.split(separator: ",")[1]) }
        }
        return out
    }
}
