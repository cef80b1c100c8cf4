import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// `SearchPolicy.decide`: what a worker does next, from replayed states built by hand.
final class SearchPolicyTests: XCTestCase {
    private typealias R = Records

    /// Trial n trains for 10 + n epochs, so `upTo` tells which trial's count was used.
    private let policy = SearchPolicy(maxSeconds: nil) { 10 + $0 }

    // MARK: - Done

    func testAllTrialsFinishedIsDone() {
        let state = R.replay(trialCount: 2, [R.finish(1, by: "p", at: 100), R.finish(0, by: "p", at: 101)])
        XCTAssertEqual(policy.decide(state, now: 102), .done(.finished))
    }

    /// Finished outranks a stop and a spent budget: the search is complete, not interrupted.
    func testFinishedOutranksStoppedAndTheTimeLimit() {
        let state = R.replay(trialCount: 1, [R.join("p", at: 100), R.finish(0, by: "p", at: 105), .stop(by: "u", time: 106)])
        XCTAssertEqual(SearchPolicy(maxSeconds: 1) { _ in 5 }.decide(state, now: 107), .done(.finished))
    }

    func testAStopIsDoneUntilResumed() {
        var state = R.replay(trialCount: 3, [.stop(by: "u", time: 100)])
        XCTAssertEqual(policy.decide(state, now: 101), .done(.stopped))
        state.apply(.resume(by: "u", time: 102), at: 100)
        XCTAssertEqual(policy.decide(state, now: 103), .train(trial: 0, upTo: 10))
    }

    func testTheTimeLimitComparesElapsedWithMaxSeconds() {
        // Two processes, [100, 140] and [130, 160]: 60 s of search.
        let ended = R.replay(trialCount: 5, [R.join("p1", at: 100), R.join("p2", at: 130), R.leave("p1", at: 140), R.leave("p2", at: 160)])
        XCTAssertEqual(SearchPolicy(maxSeconds: 60) { _ in 5 }.decide(ended, now: 10_000), .done(.timeLimit))
        XCTAssertEqual(SearchPolicy(maxSeconds: 59) { _ in 5 }.decide(ended, now: 10_000), .done(.timeLimit))
        XCTAssertEqual(SearchPolicy(maxSeconds: 60.5) { _ in 5 }.decide(ended, now: 10_000), .train(trial: 0, upTo: 5))
        XCTAssertEqual(SearchPolicy(maxSeconds: nil) { _ in 5 }.decide(ended, now: 10_000), .train(trial: 0, upTo: 5))

        // A live process counts up to now.
        let live = R.replay(trialCount: 5, [R.join("p1", at: 100, lease: 1000)])
        XCTAssertEqual(SearchPolicy(maxSeconds: 30) { _ in 5 }.decide(live, now: 129.5), .train(trial: 0, upTo: 5))
        XCTAssertEqual(SearchPolicy(maxSeconds: 30) { _ in 5 }.decide(live, now: 130), .done(.timeLimit))
    }

    func testAStopOutranksTheTimeLimit() {
        let state = R.replay(trialCount: 2, [R.join("p1", at: 100), R.leave("p1", at: 200), .stop(by: "u", time: 201)])
        XCTAssertEqual(SearchPolicy(maxSeconds: 10) { _ in 5 }.decide(state, now: 300), .done(.stopped))
    }

    // MARK: - Which trial

    func testWithNothingClaimedTheFirstTrialIsTrained() {
        XCTAssertEqual(policy.decide(SearchState(trialCount: 4), now: 0), .train(trial: 0, upTo: 10))
    }

    func testTheLowestReleasedTrialComesBeforeTheFrontier() {
        var state = R.replay(trialCount: 10, [
            R.join("p1", at: 100, lease: 100), R.join("p2", at: 100, lease: 100),
            R.claim(0, by: "p1", at: 100), R.claim(1, by: "p1", at: 100), R.claim(2, by: "p1", at: 100),
            R.claim(3, by: "p2", at: 100), R.claim(4, by: "p2", at: 100),
            R.release(3, by: "p2", at: 101, epoch: 2), R.release(1, by: "p1", at: 102, epoch: 4),
        ])
        XCTAssertEqual(state.frontier, 5)
        XCTAssertEqual(policy.decide(state, now: 103), .train(trial: 1, upTo: 11))
        state.apply(R.claim(1, by: "p2", at: 103), at: 900)
        XCTAssertEqual(policy.decide(state, now: 104), .train(trial: 3, upTo: 13))
        state.apply(R.claim(3, by: "p1", at: 104), at: 1000)
        XCTAssertEqual(policy.decide(state, now: 105), .train(trial: 5, upTo: 15))
    }

    /// The frontier is never claimed, so when it is below every released trial it goes first.
    func testTheFrontierComesBeforeAHigherReleasedTrial() {
        let state = R.replay(trialCount: 5, [
            R.join("p1", at: 100, lease: 100),
            R.claim(0, by: "p1", at: 100), R.claim(2, by: "p1", at: 100), R.release(2, by: "p1", at: 101),
        ])
        XCTAssertEqual(state.frontier, 1)
        XCTAssertEqual(policy.decide(state, now: 102), .train(trial: 1, upTo: 11))
    }

    func testAnExpiredLeasesTrialIsTaken() {
        let state = R.replay(trialCount: 5, [
            R.join("p1", at: 100, lease: 10), R.join("p2", at: 100, lease: 100),
            R.claim(0, by: "p1", at: 100), R.claim(1, by: "p2", at: 100),
        ])
        XCTAssertEqual(policy.decide(state, now: 109.5), .train(trial: 2, upTo: 12), "p1's lease runs to 110")
        XCTAssertEqual(policy.decide(state, now: 110), .train(trial: 0, upTo: 10))
        XCTAssertEqual(policy.decide(state, now: 500), .train(trial: 0, upTo: 10))
    }

    func testATrialOfAProcessThatLeftIsTakenAtOnce() {
        let state = R.replay(trialCount: 2, [
            R.join("p1", at: 100, lease: 100), R.claim(0, by: "p1", at: 100), R.claim(1, by: "p1", at: 100),
            R.leave("p1", at: 101, reason: "failed: out of memory"),
        ])
        XCTAssertEqual(policy.decide(state, now: 102), .train(trial: 0, upTo: 10))
    }

    func testAClaimOfAnUnknownProcessLapsesAfterTheDefaultLease() {
        let state = R.replay(trialCount: 1, [R.claim(0, by: "ghost", at: 100)])
        XCTAssertEqual(policy.decide(state, now: 129.5), .wait(seconds: 0.5))
        XCTAssertEqual(policy.decide(state, now: 130), .train(trial: 0, upTo: 10))
    }

    // MARK: - Waiting

    /// Every open trial held: wait until the earliest lease runs out, at least 0.05 s and at most 1 s.
    func testWhenEveryOpenTrialIsHeldWaitForTheEarliestExpiry() {
        let state = R.replay(trialCount: 3, [
            R.join("p1", at: 100, lease: 10), R.join("p2", at: 100, lease: 20),
            R.claim(0, by: "p2", at: 100), R.claim(1, by: "p1", at: 100),   // p2's until 120, p1's until 110
            R.finish(2, by: "p2", at: 100),
        ])
        XCTAssertEqual(state.frontier, 3)
        XCTAssertEqual(policy.decide(state, now: 109.75), .wait(seconds: 0.25))
        XCTAssertEqual(policy.decide(state, now: 109.5), .wait(seconds: 0.5))
        XCTAssertEqual(policy.decide(state, now: 100), .wait(seconds: 1), "10 s away: clamped to 1 s")
        XCTAssertEqual(policy.decide(state, now: 109.99), .wait(seconds: 0.05), "0.01 s away: clamped to 0.05 s")
        XCTAssertEqual(policy.decide(state, now: 110), .train(trial: 1, upTo: 11))
    }

    // MARK: - Properties

    func testUpToComesFromTheEpochsOfTheChosenTrial() {
        let counts = [3, 7, 11, 2]
        let policy = SearchPolicy(maxSeconds: nil) { counts[$0] }
        var state = SearchState(trialCount: 4)
        for trial in 0..<4 {
            XCTAssertEqual(policy.decide(state, now: 100), .train(trial: trial, upTo: counts[trial]))
            state.apply(R.claim(trial, by: "p", at: 100), at: trial)
        }
    }

    func testAFinishedTrialIsNeverChosen() {
        // 0: claimed, lapsed, then finished by its holder; 1: finished after a claim; 2: claimed after it finished.
        let state = R.replay(trialCount: 4, [
            R.join("p1", at: 100, lease: 10),
            R.claim(0, by: "p1", at: 100), R.claim(1, by: "p1", at: 100),
            R.finish(1, by: "p1", at: 101), R.finish(2, by: "p2", at: 101), R.claim(2, by: "p1", at: 102),
            R.finish(0, by: "p1", at: 150),
        ])
        XCTAssertEqual(policy.decide(state, now: 200), .train(trial: 3, upTo: 13))
    }

    /// Workers deciding and claiming, some vanishing or giving trials back, in a seeded random order:
    /// every trial chosen is in range and not finished, and the search ends finished with each trial once.
    func testSimulatedWorkersNeverTrainAFinishedTrial() {
        for seed in UInt64(1)...20 {
            var random = Random(seed: seed)
            var state = SearchState(trialCount: 12)
            var now = 1000.0
            var offset = 0
            var inHand: [String: Int] = [:]
            var workers = ["a0", "b0", "c0"]
            func apply(_ record: JournalRecord) { state.apply(record, at: offset); offset += 100 }
            for w in workers { apply(R.join(w, at: now, lease: 5)) }
            var steps = 0
            while steps < 10_000 {
                steps += 1
                now += Double(random.next(below: 4)) * 0.5
                let index = random.next(below: workers.count)
                let w = workers[index]
                if let trial = inHand[w] {
                    switch random.next(below: 6) {
                    case 0: apply(R.release(trial, by: w, at: now)); inHand[w] = nil
                    case 1:
                        // Killed without a word: its lease lapses; a new process takes its place.
                        inHand[w] = nil
                        workers[index] = "\(w.prefix(1))\(steps)"
                        apply(R.join(workers[index], at: now, lease: 5))
                    case 2, 3: apply(R.finish(trial, by: w, at: now, metric: Double(trial))); inHand[w] = nil
                    default: apply(R.beat(w, at: now, [(trial: trial, epoch: 1)]))
                    }
                    continue
                }
                apply(R.beat(w, at: now))
                let action = policy.decide(state, now: now)
                switch action {
                case let .train(trial, upTo):
                    XCTAssertTrue((0..<12).contains(trial), "seed \(seed): \(action)")
                    XCTAssertNil(state.finished[trial], "seed \(seed): chose finished trial \(trial)")
                    XCTAssertFalse(state.isHeld(trial, at: now), "seed \(seed): chose held trial \(trial)")
                    XCTAssertEqual(upTo, 10 + trial)
                    apply(R.claim(trial, by: w, at: now, upTo: upTo))
                    inHand[w] = trial
                case let .wait(seconds):
                    XCTAssertTrue(seconds >= 0.05 && seconds <= 1, "seed \(seed): \(action)")
                case .done(let ending):
                    XCTAssertEqual(ending, .finished, "seed \(seed)")
                }
                if state.isComplete { break }
            }
            XCTAssertTrue(state.isComplete, "seed \(seed): not complete after \(steps) steps")
            XCTAssertEqual(state.finishOrder.sorted(), Array(0..<12), "seed \(seed)")
        }
    }

    /// The same state gives the same action, however its records' independent parts were ordered.
    func testDecisionsAreDeterministic() {
        var records: [JournalRecord] = [R.join("p1", at: 100, lease: 50), R.join("p2", at: 100, lease: 10)]
        for trial in 0..<60 { records.append(R.claim(trial, by: trial % 2 == 0 ? "p1" : "p2", at: 100)) }
        let releases = [41, 17, 33, 29, 58].map { R.release($0, by: $0 % 2 == 0 ? "p1" : "p2", at: 101) }
        let forward = R.replay(trialCount: 80, records + releases)
        let backward = R.replay(trialCount: 80, Array(records.prefix(2)) + Array(records.dropFirst(2).reversed()) + Array(releases.reversed()))
        for now in [102.0, 109.0, 110.0, 149.0, 150.0] {
            let action = policy.decide(forward, now: now)
            XCTAssertEqual(policy.decide(forward, now: now), action, "at \(now)")
            XCTAssertEqual(policy.decide(backward, now: now), action, "at \(now)")
        }
        XCTAssertEqual(policy.decide(forward, now: 102), .train(trial: 17, upTo: 27))
        XCTAssertEqual(policy.decide(forward, now: 110), .train(trial: 1, upTo: 11), "p2's leases ran out at 110")
        XCTAssertEqual(policy.decide(forward, now: 150), .train(trial: 0, upTo: 10), "p1's too at 150")
    }

    // MARK: - Lockstep companions

    /// Companions are never-claimed trials within the window from the frontier, in order, with their
    /// epochs; no more of them than an even share of the never-claimed trials among the workers.
    func testCompanionsAreNeverClaimedTrialsWithinTheWindowUpToAnEvenShare() {
        let state = R.replay(trialCount: 40, [
            R.join("p1", at: 100, lease: 100), R.join("p2", at: 100, lease: 100),
            R.claim(0, by: "p1", at: 100), R.claim(1, by: "p2", at: 100), R.claim(3, by: "p2", at: 100),
            R.release(1, by: "p2", at: 101), R.finish(5, by: "p1", at: 102),
        ])
        XCTAssertEqual(state.frontier, 2)
        XCTAssertEqual(state.neverClaimedCount, 36)
        let (limit, candidates) = policy.companions(state, lanes: 8, workers: 2, window: 8)
        XCTAssertEqual(limit, 7)
        XCTAssertEqual(candidates.map(\.trial), [2, 4, 6, 7, 8, 9], "released 1 is not a companion; 3 and 5 were taken")
        XCTAssertEqual(candidates.map(\.upTo), [12, 14, 16, 17, 18, 19])
        XCTAssertEqual(policy.companions(state, lanes: 8, workers: 12, window: 8).limit, 3, "36 never claimed among 12 workers")
        XCTAssertEqual(policy.companions(state, lanes: 8, workers: 10, window: 8).limit, 4, "36 among 10: rounded up")
        XCTAssertEqual(policy.companions(state, lanes: 1, workers: 1, window: 8).limit, 0, "one lane: no companions")
        XCTAssertEqual(policy.companions(state, lanes: 4, workers: 1, window: 8).limit, 3)
        let last = R.replay(trialCount: 4, [R.join("p1", at: 100, lease: 100), R.claim(0, by: "p1", at: 100), R.claim(1, by: "p1", at: 100)])
        XCTAssertEqual(policy.companions(last, lanes: 8, workers: 4, window: 8).limit, 1, "two trials left among four workers: one")
        XCTAssertEqual(policy.companions(last, lanes: 8, workers: 1, window: 8).candidates.map(\.trial), [2, 3])
        let done = R.replay(trialCount: 2, [R.join("p1", at: 100, lease: 100), R.claim(0, by: "p1", at: 100), R.claim(1, by: "p1", at: 100)])
        XCTAssertEqual(policy.companions(done, lanes: 8, workers: 1, window: 8).limit, 0, "nothing left: none")
    }
}
