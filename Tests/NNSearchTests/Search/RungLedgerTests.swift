import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Rung decisions of successive halving and hyperband, from journal records replayed into
/// `SearchState` and the actions `SearchPolicy` takes (no threads, no files).
final class RungLedgerTests: XCTestCase {
    private typealias R = Records
    private let halving3 = Pruning(kind: .halving, eta: 3, minEpochs: 1)

    /// A metric that differs for every trial and grows with the epochs.
    private static func distinct(_ trial: Int, _ epoch: Int) -> Double {
        Double((trial * 7919) % 1000) / 1000 + Double(epoch) / 10_000
    }

    private func state(trials: Int, pruning: Pruning? = nil, maximize: Bool = true, epochs: Int) -> SearchState {
        let schedule = RungSchedule(pruning: pruning ?? halving3, seed: 0, trialCount: trials, maxEpochs: epochs,
                                    maximize: maximize) { _ in epochs }
        return SearchState(trialCount: trials, schedule: schedule)
    }

    // MARK: - Counts

    /// 27 trials, eta 3: 27 train to the first rung, 9 to the second, 3 to the third, 1 to the end.
    func testCountsPerRungFollowTheFormula() {
        for (trials, eta, minEpochs, epochs, expected) in [
            (27, 3, 1, 27, [27, 9, 3, 1]),
            (100, 3, 3, 30, [100, 33, 11, 3]),
            (10, 2, 1, 8, [10, 5, 2, 1]),
            (5, 3, 1, 9, [5, 1, 1]),
            (81, 3, 1, 81, [81, 27, 9, 3, 1]),
        ] {
            var sim = PruningSimulation(trials: trials, pruning: Pruning(kind: .halving, eta: eta, minEpochs: minEpochs),
                                        epochs: { _ in epochs }, metric: Self.distinct)
            sim.run(workers: ["p"])
            let ladder = sim.ledger.schedule.ladder
            let counts = ladder.map { rung in sim.reachedEpochs.values.filter { $0 >= rung }.count }
            XCTAssertEqual(counts, expected, "\(trials) trials, eta \(eta), ladder \(ladder)")
            XCTAssertEqual(sim.ledger.decisions.map(\.members), expected, "members of each decided rung")
            XCTAssertEqual(sim.ledger.decisions.map(\.kept.count), expected.map { max(1, $0 / eta) })
            let statuses = sim.statuses
            XCTAssertEqual(statuses.count, trials, "every trial finished once")
            XCTAssertEqual(statuses.values.filter { $0 == "completed" }.count, expected.last!)
            XCTAssertEqual(statuses.values.filter { $0 == "pruned" }.count, trials - expected.last!)
            // Each pruned trial's row is its pause's: it stopped at the rung it reached.
            for (trial, status) in statuses where status == "pruned" {
                XCTAssertTrue(ladder.dropLast().contains(sim.reachedEpochs[trial]!), "trial \(trial)")
            }
        }
    }

    /// The best go on: with distinct metrics, the kept trials are exactly the top ones.
    func testTheBestByTheMetricGoOn() {
        var sim = PruningSimulation(trials: 27, pruning: halving3, epochs: { _ in 9 }, metric: Self.distinct)
        sim.run(workers: ["p"])
        let first = sim.ledger.decisions[0]
        let byMetric = (0..<27).sorted { Self.distinct($0, 1) > Self.distinct($1, 1) }
        XCTAssertEqual(first.kept, Array(byMetric.prefix(9)))
        XCTAssertEqual(first.promoted, byMetric.prefix(9).sorted())
        XCTAssertEqual(first.pruned, byMetric.dropFirst(9).sorted())
    }

    /// val_loss: the smallest go on.
    func testAMetricToMinimizeKeepsTheSmallest() {
        var sim = PruningSimulation(trials: 9, pruning: halving3, maximize: false, epochs: { _ in 3 },
                                    metric: { trial, _ in Double(trial % 5) + Double(trial) / 100 })
        sim.run(workers: ["p"])
        // Losses: 0 0.00, 1 1.01, 2 2.02, 3 3.03, 4 4.04, 5 0.05, 6 1.06, 7 2.07, 8 3.08: keep 3 → 0, 5, 1.
        XCTAssertEqual(sim.ledger.decisions[0].kept, [0, 5, 1])
    }

    // MARK: - Ties and divergence

    func testTiesGoByTrialNumber() {
        var sim = PruningSimulation(trials: 9, pruning: halving3, epochs: { _ in 9 }, metric: { _, _ in 0.5 })
        sim.run(workers: ["p"])
        XCTAssertEqual(sim.ledger.decisions[0].kept, [0, 1, 2])
        XCTAssertEqual(sim.ledger.decisions[1].kept, [0])
        // A tie only among some: 4 and 7 tie for the last place kept.
        var partial = PruningSimulation(trials: 9, pruning: halving3, epochs: { _ in 9 },
                                        metric: { trial, _ in trial == 2 ? 0.9 : (trial == 7 || trial == 4 ? 0.8 : 0.1) })
        partial.run(workers: ["p"])
        XCTAssertEqual(partial.ledger.decisions[0].kept, [2, 4, 7])
        var lower = PruningSimulation(trials: 9, pruning: halving3, epochs: { _ in 9 },
                                      metric: { trial, _ in trial == 8 ? 0.9 : (trial == 7 || trial == 4 || trial == 5 ? 0.8 : 0.1) })
        lower.run(workers: ["p"])
        XCTAssertEqual(lower.ledger.decisions[0].kept, [8, 4, 5], "of 4, 5 and 7 tied, the lowest numbers go on")
    }

    /// A trial that diverged before the rung reported (it finished) and ranks last; it is never promoted.
    func testDivergedIsWorst() {
        // Trials 0-2 diverge at epoch 1; 3-8 have tiny metrics. Keep 3: from the six that did not diverge.
        var sim = PruningSimulation(trials: 9, pruning: halving3, epochs: { _ in 9 },
                                    metric: { trial, _ in trial < 3 ? .nan : -1e300 * Double(trial) })
        sim.run(workers: ["p"])
        let first = sim.ledger.decisions[0]
        XCTAssertEqual(first.kept, [3, 4, 5])
        XCTAssertEqual(first.pruned, [6, 7, 8], "diverged trials are finished, never pruned")
        XCTAssertEqual(sim.statuses.filter { $0.value == "diverged" }.keys.sorted(), [0, 1, 2])
        // With val_loss, a diverged trial is still the worst (not the smallest loss).
        var loss = PruningSimulation(trials: 3, pruning: halving3, maximize: false, epochs: { _ in 9 },
                                     metric: { trial, _ in trial == 0 ? .nan : Double(trial) })
        loss.run(workers: ["p"])
        XCTAssertEqual(loss.ledger.decisions[0].kept, [1])
        // Everyone diverged but one: that one goes on; all diverged at rung 1: the rung is decided, nobody goes on.
        var most = PruningSimulation(trials: 9, pruning: halving3, epochs: { _ in 9 },
                                     metric: { trial, epoch in trial == 6 && epoch < 2 ? 0.1 : .nan })
        most.run(workers: ["p"])
        XCTAssertEqual(most.ledger.decisions[0].promoted, [6])
        XCTAssertEqual(most.ledger.decisions[1].promoted, [])
        XCTAssertEqual(most.statuses[6], "diverged")
        XCTAssertEqual(most.reachedEpochs[6], 2, "it diverged at epoch 2, before its second rung (3)")
    }

    // MARK: - When a rung is decided

    /// No decision, promotion or prune until every member reported — a pause, or a finish before the rung.
    func testARungIsNotDecidedUntilEveryTrialHasReported() {
        var s = state(trials: 6, epochs: 9)
        let policy = SearchPolicy(maxSeconds: nil) { _ in 9 }
        s.apply(R.join("p1", at: 100, lease: 100), at: 0)
        s.apply(R.join("p2", at: 100, lease: 100), at: 100)
        for trial in 0..<6 { s.apply(R.claim(trial, by: trial == 5 ? "p2" : "p1", at: 101, upTo: 1), at: 200 + trial) }
        for trial in 0..<4 { s.apply(R.reached(trial, by: "p1", at: 102, epoch: 1, metric: Double(trial)), at: 300 + trial) }
        s.apply(R.finish(4, by: "p1", at: 102, metric: .nan, row: "4,diverged"), at: 400)
        XCTAssertEqual(s.ledger?.decisions.count, 0, "trial 5 has not reported")
        XCTAssertEqual(s.ledger?.promoted, [])
        XCTAssertTrue(s.pendingPrunes.isEmpty)
        XCTAssertEqual(Set(s.paused.keys), [0, 1, 2, 3])
        XCTAssertTrue(s.claims[0] == nil, "a paused trial is held by nobody")
        XCTAssertEqual(policy.decide(s, now: 103, asking: "p1"), .wait(seconds: 1), "p1 waits: trial 5 is p2's")
        s.apply(R.reached(5, by: "p2", at: 104, epoch: 1, metric: 2.5), at: 500)
        let decision = try? XCTUnwrap(s.ledger?.decisions.first)
        XCTAssertEqual(decision?.members, 6)
        XCTAssertEqual(decision?.kept, [3, 5])
        XCTAssertEqual(decision?.promoted, [3, 5])
        XCTAssertEqual(s.pendingPrunes.map(\.trial), [0, 1, 2])
        XCTAssertEqual(s.pendingPrunes.map(\.row), ["0,pruned,1", "1,pruned,1", "2,pruned,1"], "each pruned trial gets its pause's row")
        XCTAssertEqual(policy.decide(s, now: 105, asking: "p1"), .train(trial: 3, upTo: 3), "promoted to the next rung, 3 epochs")
    }

    /// The same reports in any arrival order give the same decisions: rung 0's pauses of 27 trials
    /// (some diverging first) shuffled 30 times, then rung 1's.
    func testShuffledArrivalOrderGivesTheSameDecisions() {
        func pauses(_ trials: [Int], epoch: Int) -> [[JournalRecord]] {
            trials.map { trial in
                let process = "p\(trial % 3)"
                let metric = Self.distinct(trial, epoch)
                let report: JournalRecord = trial % 10 == 4
                    ? R.finish(trial, by: process, at: 110, metric: .nan, row: "\(trial),diverged")
                    : R.reached(trial, by: process, at: 110, epoch: epoch, metric: (metric * 20).rounded() / 20)   // ties
                return [R.claim(trial, by: process, at: 100, upTo: epoch), report]
            }
        }
        /// Interleaves the trials' record lists at random, each list in its own order.
        func interleave(_ lists: [[JournalRecord]], _ random: inout Random) -> [JournalRecord] {
            var lists = lists
            var out = [JournalRecord]()
            while !lists.isEmpty {
                let i = random.next(below: lists.count)
                out.append(lists[i].removeFirst())
                if lists[i].isEmpty { lists.remove(at: i) }
            }
            return out
        }
        var reference: [RungLedger.Decision]? = nil
        var random = Random(seed: 2024)
        for round in 0..<30 {
            var s = state(trials: 27, epochs: 27)
            var offset = 0
            for p in ["p0", "p1", "p2"] { s.apply(R.join(p, at: 99, lease: 1000), at: offset); offset += 100 }
            for record in interleave(pauses(Array(0..<27), epoch: 1), &random) { s.apply(record, at: offset); offset += 100 }
            XCTAssertEqual(s.ledger?.decisions.count, 1, "round \(round)")
            let promoted = s.ledger!.decisions[0].promoted
            for prune in s.pendingPrunes { s.apply(R.finish(prune.trial, by: "p0", at: 111, metric: .nan, row: prune.row), at: offset); offset += 100 }
            for record in interleave(pauses(promoted, epoch: 3), &random) { s.apply(record, at: offset); offset += 100 }
            let decisions = s.ledger!.decisions
            XCTAssertEqual(decisions.count, 2, "round \(round)")
            if let reference {
                XCTAssertEqual(decisions, reference, "round \(round)")
            } else {
                reference = decisions
            }
        }
        // The records' order changed the journal, not the decisions; and the decisions are what ranking says.
        XCTAssertEqual(reference?[0].members, 27)
        XCTAssertEqual(reference?[0].kept.count, 9)
        XCTAssertFalse(reference?[0].kept.contains { $0 % 10 == 4 } ?? true, "diverged trials are never kept here")
        XCTAssertEqual(reference?[1].members, 9)
        XCTAssertEqual(reference?[1].kept.count, 3)
    }

    /// Whole searches with 1 to 4 workers acting in random order end with the same decisions and
    /// statuses as one worker in turn.
    func testAnyNumberOfWorkersInAnyOrderMakesTheSameDecisions() {
        let metric: (Int, Int) -> Double = { trial, epoch in
            trial % 11 == 3 && epoch >= 2 ? .nan : (Self.distinct(trial, epoch) * 10).rounded() / 10
        }
        for pruning in [halving3, Pruning(kind: .hyperband, eta: 3, minEpochs: 1)] {
            var reference = PruningSimulation(trials: 40, pruning: pruning, epochs: { _ in 27 }, seed: 5, metric: metric)
            reference.run(workers: ["p"])
            for seed in UInt64(1)...12 {
                let workers = (0...Int(seed % 4)).map { "w\($0)" }
                var sim = PruningSimulation(trials: 40, pruning: pruning, epochs: { _ in 27 }, seed: 5, metric: metric)
                sim.run(workers: workers, seed: seed)
                XCTAssertEqual(Set(sim.ledger.decisions.map { "\($0)" }), Set(reference.ledger.decisions.map { "\($0)" }),
                               "\(pruning.kind), seed \(seed), \(workers.count) workers")
                XCTAssertEqual(sim.statuses, reference.statuses, "\(pruning.kind), seed \(seed)")
                XCTAssertEqual(sim.reachedEpochs, reference.reachedEpochs, "\(pruning.kind), seed \(seed)")
            }
        }
    }

    // MARK: - Hyperband

    /// Each bracket halves on its own, from its own first rung; the last bracket trains in full.
    func testHyperbandBracketsDecideSeparately() {
        var sim = PruningSimulation(trials: 200, pruning: Pruning(kind: .hyperband, eta: 3, minEpochs: 1),
                                    epochs: { _ in 9 }, seed: 11, metric: Self.distinct)
        sim.run(workers: ["a", "b"], seed: 3)
        let schedule = sim.ledger.schedule
        XCTAssertEqual(schedule.ladder, [1, 3, 9])
        XCTAssertEqual(schedule.bracketSizes.count, 3)
        for bracket in 0..<3 {
            let members = (0..<200).filter { schedule.bracket($0) == bracket }
            XCTAssertEqual(members.count, schedule.bracketSizes[bracket])
            let decisions = sim.ledger.decisions.filter { $0.rung.bracket == bracket }.sorted { $0.rung.index < $1.rung.index }
            XCTAssertEqual(decisions.first?.rung.index, bracket, "bracket \(bracket) starts at rung \(bracket)")
            var n = members.count
            for d in decisions {
                XCTAssertEqual(d.members, n, "bracket \(bracket) \(d.rung)")
                n = d.promoted.count
            }
            // Every member of bracket b trained at least to the ladder's rung b.
            XCTAssertTrue(members.allSatisfy { sim.reachedEpochs[$0]! >= schedule.ladder[bracket] }, "bracket \(bracket)")
        }
        XCTAssertTrue((0..<200).filter { schedule.bracket($0) == 2 }.allSatisfy { sim.statuses[$0] == "completed" },
                      "the last bracket prunes nothing")
    }

    // MARK: - Trials of different epochs

    /// A trial with fewer epochs finishes at its capped rung and is ranked there by its result.
    func testATrialWithFewerEpochsFinishesAtItsCappedRung() {
        let epochs: @Sendable (Int) -> Int = { $0 % 2 == 0 ? 9 : 2 }
        var sim = PruningSimulation(trials: 6, pruning: halving3, epochs: epochs, metric: { trial, _ in Double(trial) })
        sim.run(workers: ["p"])
        // Rung 0 (1 epoch): 6 members, keep 2: trials 5 and 4. Rung 1: 5 finishes at its 2 epochs, 4 pauses at 3.
        XCTAssertEqual(sim.ledger.decisions[0].kept, [5, 4])
        XCTAssertEqual(sim.ledger.decisions[1].members, 2)
        XCTAssertEqual(sim.ledger.decisions[1].kept, [5], "5 finished at 2 epochs and ranks first")
        XCTAssertEqual(sim.ledger.decisions[1].pruned, [4])
        XCTAssertEqual(sim.statuses[5], "completed")
        XCTAssertEqual(sim.reachedEpochs[5], 2)
        XCTAssertEqual(sim.statuses[4], "pruned")
    }

    // MARK: - Records that do not fit

    func testPausesThatDoNotFitAreIgnored() {
        var s = state(trials: 3, epochs: 9)
        s.apply(R.join("p1", at: 100, lease: 10), at: 0)
        s.apply(R.join("p2", at: 100, lease: 10), at: 100)
        s.apply(R.claim(0, by: "p1", at: 100, upTo: 1), at: 200)
        s.apply(R.claim(0, by: "p2", at: 120, upTo: 1), at: 300)          // p1's lease lapsed
        s.apply(R.reached(0, by: "p1", at: 121, epoch: 1, metric: 0.9), at: 400)
        XCTAssertTrue(s.ignored.last?.reason.contains("late pause") ?? false, "\(s.ignored)")
        XCTAssertNil(s.paused[0])
        s.apply(R.reached(0, by: "p2", at: 122, epoch: 3, metric: 0.9), at: 500)
        XCTAssertTrue(s.ignored.last?.reason.contains("is at epoch 1") ?? false, "\(s.ignored)")
        s.apply(R.reached(0, by: "p2", at: 123, epoch: 1, metric: 0.5), at: 600)
        XCTAssertEqual(s.paused[0]?.metric, 0.5)
        s.apply(R.reached(0, by: "p2", at: 124, epoch: 1, metric: 0.7), at: 700)
        XCTAssertEqual(s.paused[0]?.metric, 0.5, "a repeated pause changes nothing")
        s.apply(R.claim(1, by: "p2", at: 125, upTo: 9), at: 800)
        s.apply(R.reached(1, by: "p2", at: 126, epoch: 9, metric: 0.7), at: 900)
        XCTAssertNil(s.paused[1], "no pause at the last rung: the trial finishes there")
        s.apply(R.reached(7, by: "p2", at: 126, epoch: 1, metric: 0.7), at: 1000)
        XCTAssertTrue(s.ignored.last?.reason.contains("trial 7") ?? false)
        XCTAssertEqual(s.ignored.count, 4)
    }

    /// A finish after the rung pruned a trial ends its wait: no pending prune, one finish, the first.
    func testThePruneFinishIsTheFirstFinishAndEndsThePendingPrune() {
        var s = state(trials: 3, epochs: 9)
        for trial in 0..<3 {
            s.apply(R.claim(trial, by: "p", at: 100, upTo: 1), at: trial * 100)
            s.apply(R.reached(trial, by: "p", at: 101, epoch: 1, metric: Double(trial)), at: 1000 + trial * 100)
        }
        XCTAssertEqual(s.pendingPrunes.map(\.trial), [0, 1])
        s.apply(R.finish(0, by: "q", at: 102, metric: .nan, row: "0,pruned,1"), at: 2000)
        s.apply(R.finish(0, by: "p", at: 102, metric: .nan, row: "0,pruned,1"), at: 2100)
        XCTAssertEqual(s.pendingPrunes.map(\.trial), [1])
        XCTAssertEqual(s.finished[0]?.process, "q")
        XCTAssertEqual(s.finishOrder, [0])
        XCTAssertNil(s.paused[0])
        XCTAssertEqual(s.ledger?.promoted, [2])
        XCTAssertTrue(s.ignored.isEmpty, "\(s.ignored)")
    }

    /// Without pruning a `reached` record only pauses the trial; nothing is decided.
    func testWithoutPruningAPauseIsOnlyAFact() {
        var s = SearchState(trialCount: 2)
        s.apply(R.claim(0, by: "p", at: 100), at: 0)
        s.apply(R.reached(0, by: "p", at: 101, epoch: 3, metric: 0.5), at: 100)
        XCTAssertEqual(s.paused[0]?.epoch, 3)
        XCTAssertNil(s.ledger)
        XCTAssertTrue(s.pendingPrunes.isEmpty)
        XCTAssertNil(s.rungEpochs(0))
        // A search whose pruning was taken away (`resume --force`) runs its paused trials on to their end.
        let policy = SearchPolicy(maxSeconds: nil) { _ in 9 }
        s.apply(R.claim(1, by: "p", at: 102), at: 200)
        XCTAssertEqual(policy.decide(s, now: 103), .train(trial: 0, upTo: 9))
        s.apply(R.claim(0, by: "p", at: 103, upTo: 9), at: 300)
        XCTAssertEqual(s.claims[0]?.epoch, 3, "it continues from its pause")
    }
}
