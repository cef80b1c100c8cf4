import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Replaying the journal into a `SearchState`: records built by hand, expectations computed by hand.
final class SearchStateTests: XCTestCase {
    private typealias R = Records

    // MARK: - Finishes

    func testTheFirstFinishWins() {
        var state = SearchState(trialCount: 3)
        state.apply(R.claim(0, by: "p1", at: 100), at: 0)
        let first = state.apply(R.finish(0, by: "p1", at: 110, metric: 0.25, row: "0,first"), at: 100)
        XCTAssertEqual(finished(first)?.metric, 0.25)
        XCTAssertEqual(row(first), "0,first", "the row goes to the views")

        let again = state.apply(R.finish(0, by: "p1", at: 111, metric: 0.75, row: "0,second"), at: 200)
        let other = state.apply(R.finish(0, by: "p2", at: 112, metric: 0.125, row: "0,third"), at: 300)
        XCTAssertNil(finished(again), "a duplicated finish is not applied")
        XCTAssertNil(finished(other), "a second process's finish is not applied")
        XCTAssertEqual(state.finished[0]?.metric, 0.25)
        XCTAssertEqual(state.finished[0]?.process, "p1")
        XCTAssertEqual(state.finished[0]?.time, 110)
        XCTAssertEqual(state.finishOrder, [0])
        XCTAssertEqual(state.doneCount, 1)
        XCTAssertTrue(state.ignored.isEmpty, "a duplicate is expected, not damage: \(state.ignored)")
        XCTAssertNil(state.claims[0], "a finished trial has no claim")
    }

    /// A finish from a process whose lease lapsed and passed to another (a later claim) is a late
    /// result: discarded, reported with its offset, and the new holder's finish is the one that counts.
    func testALateFinishFromAProcessThatLostTheClaimIsIgnored() {
        var state = R.replay(trialCount: 2, [
            R.join("p1", at: 100, lease: 10),
            R.join("p2", at: 100, lease: 10),
            R.claim(0, by: "p1", at: 100),
            R.claim(0, by: "p2", at: 115),                  // p1's lease ran out at 110
        ])
        let late = state.apply(R.finish(0, by: "p1", at: 120, metric: 0.1), at: 400)
        XCTAssertNil(finished(late))
        XCTAssertNil(state.finished[0])
        XCTAssertEqual(state.ignored.map(\.offset), [400])
        let reason = state.ignored.first?.reason ?? ""
        XCTAssertTrue(reason.contains("late") && reason.contains("p1") && reason.contains("p2") && reason.contains("trial 0"), reason)
        XCTAssertTrue(state.holds("p2", 0))
        XCTAssertFalse(state.holds("p1", 0))

        let onTime = state.apply(R.finish(0, by: "p2", at: 130, metric: 0.2), at: 500)
        XCTAssertEqual(finished(onTime)?.process, "p2")
        XCTAssertEqual(state.finished[0]?.metric, 0.2)
        XCTAssertEqual(state.finishOrder, [0])
        XCTAssertEqual(state.ignored.count, 1)
    }

    /// The claim that lost: the first holder finishes before anyone claims again, so its result stands
    /// and a later claim of the finished trial changes nothing.
    func testAClaimAfterAFinishDoesNotReopenTheTrial() {
        let state = R.replay(trialCount: 2, [
            R.claim(0, by: "p1", at: 100),
            R.finish(0, by: "p1", at: 120),
            R.claim(0, by: "p2", at: 121),
        ])
        XCTAssertEqual(state.finished[0]?.process, "p1")
        XCTAssertNil(state.claims[0])
        XCTAssertFalse(state.holds("p2", 0))
        XCTAssertTrue(state.ignored.isEmpty)
    }

    func testAFinishWithNoKnownClaimIsAccepted() {
        var state = SearchState(trialCount: 4)
        let applied = state.apply(R.finish(2, by: "ghost", at: 50, metric: 0.75), at: 0)
        XCTAssertEqual(finished(applied)?.trial, 2)
        XCTAssertEqual(state.finished[2]?.process, "ghost")
        XCTAssertEqual(state.finished[2]?.metric, 0.75)
        XCTAssertEqual(state.finishOrder, [2])
        XCTAssertTrue(state.ignored.isEmpty)
        XCTAssertEqual(state.frontier, 0, "trial 2 is done, but 0 and 1 were never touched")
    }

    func testRecordsForTrialsOutOfRangeAreIgnoredWithTheirOffset() {
        let state = R.replay(trialCount: 3, [
            R.claim(3, by: "p1", at: 100),                  // offset 0
            R.finish(3, by: "p1", at: 110),                 // 100
            R.finish(7, by: "p1", at: 111),                 // 200
            R.claim(2, by: "p1", at: 112),                  // 300: in range
            R.finish(0, by: "p1", at: 113),
            R.finish(1, by: "p1", at: 114),
            R.finish(2, by: "p1", at: 115),
            R.finish(Int.max, by: "p1", at: 116, row: "\(Int.max),x"),   // 700
        ])
        XCTAssertEqual(state.ignored.map(\.offset), [0, 100, 200, 700])
        XCTAssertTrue(state.ignored.allSatisfy { $0.reason.contains("3 trials") }, "\(state.ignored)")
        XCTAssertEqual(Set(state.finished.keys), [0, 1, 2])
        XCTAssertEqual(state.finishOrder, [0, 1, 2])
        XCTAssertEqual(state.doneCount, 3, "never more results than trials")
        XCTAssertTrue(state.isComplete)
        XCTAssertTrue(state.claims.isEmpty)
        XCTAssertEqual(state.frontier, 3)
    }

    func testAFinishWhoseRowIsNotThatTrialsIsIgnored() {
        let state = R.replay(trialCount: 30, [
            R.claim(2, by: "p1", at: 100),                  // 0
            R.finish(2, by: "p1", at: 101, row: "3,relu"),  // 100
            R.finish(2, by: "p1", at: 102, row: "22,relu"), // 200
            R.finish(2, by: "p1", at: 103, row: "2"),       // 300
            R.finish(2, by: "p1", at: 104, row: ""),        // 400
            R.finish(2, by: "p1", at: 105, row: " 2,relu"), // 500
            R.finish(2, by: "p1", at: 106, row: "TRIAL,relu"),
        ])
        XCTAssertEqual(state.ignored.map(\.offset), [100, 200, 300, 400, 500, 600])
        XCTAssertTrue(state.ignored.allSatisfy { $0.reason.contains("trial 2") }, "\(state.ignored)")
        XCTAssertNil(state.finished[2])
        XCTAssertTrue(state.holds("p1", 2), "an ignored finish leaves the claim in place")

        var after = state
        let applied = after.apply(R.finish(2, by: "p1", at: 107, metric: 0.375, row: "2,relu"), at: 700)
        XCTAssertEqual(row(applied), "2,relu")
        XCTAssertEqual(after.finished[2]?.metric, 0.375)
    }

    // MARK: - Frontier

    func testTheFrontierAdvancesOverClaimsAndFinishesOutOfOrder() {
        var state = SearchState(trialCount: 6)
        let steps: [(JournalRecord, Int)] = [
            (R.claim(2, by: "p1", at: 100), 0),
            (R.finish(1, by: "p2", at: 101), 0),
            (R.claim(0, by: "p1", at: 102), 3),   // 0, 1, 2 all touched
            (R.claim(4, by: "p1", at: 103), 3),
            (R.finish(0, by: "p1", at: 104), 3),  // finishing below the frontier moves nothing
            (R.claim(3, by: "p2", at: 105), 5),
            (R.claim(6, by: "p2", at: 106), 5),   // out of range: not touched
            (R.finish(5, by: "p2", at: 107), 6),
        ]
        for (i, (record, frontier)) in steps.enumerated() {
            state.apply(record, at: 100 * i)
            XCTAssertEqual(state.frontier, frontier, "after \(record)")
        }
    }

    func testAnIgnoredClaimDoesNotMoveTheFrontier() {
        let state = R.replay(trialCount: 2, [R.claim(2, by: "p1", at: 100), R.claim(1, by: "p1", at: 101)])
        XCTAssertEqual(state.frontier, 0)
    }

    // MARK: - Leases

    func testALeaseRunsFromJoinClaimAndHeartbeats() {
        var state = R.replay(trialCount: 3, [
            R.join("p1", at: 100, lease: 10),
            R.claim(0, by: "p1", at: 101),
        ])
        XCTAssertEqual(state.leaseExpiry(of: 0), 111, "a claim counts as a sign of life")
        XCTAssertTrue(state.isHeld(0, at: 110.999))
        XCTAssertFalse(state.isHeld(0, at: 111))
        XCTAssertNil(state.leaseExpiry(of: 1), "never claimed")
        XCTAssertFalse(state.isHeld(1, at: 101))

        state.apply(R.beat("p1", at: 108, [(trial: 0, epoch: 2)]), at: 200)
        XCTAssertEqual(state.leaseExpiry(of: 0), 118)
        XCTAssertEqual(state.claims[0]?.epoch, 2)
        XCTAssertTrue(state.isHeld(0, at: 117.5))
        XCTAssertTrue(state.isLive("p1", at: 117.5))
        XCTAssertFalse(state.isLive("p1", at: 118))

        state.apply(R.beat("p1", at: 105, [(trial: 0, epoch: 3)]), at: 300)   // out of order: no earlier expiry
        XCTAssertEqual(state.leaseExpiry(of: 0), 118)
        XCTAssertEqual(state.expiredClaims(at: 117).map(\.trial), [])
        XCTAssertEqual(state.expiredClaims(at: 118).map(\.trial), [0])
    }

    /// A heartbeat's epochs count only for trials the beating process holds.
    func testAHeartbeatUpdatesOnlyItsOwnClaimsEpochs() {
        let state = R.replay(trialCount: 3, [
            R.join("p1", at: 100), R.join("p2", at: 100),
            R.claim(0, by: "p1", at: 100), R.claim(1, by: "p2", at: 100),
            R.beat("p2", at: 105, [(trial: 0, epoch: 9), (trial: 1, epoch: 4)]),
        ])
        XCTAssertEqual(state.claims[0]?.epoch, 0)
        XCTAssertEqual(state.claims[1]?.epoch, 4)
    }

    func testAClaimOfAProcessThatNeverJoinedGetsTheDefaultLease() {
        let state = R.replay(trialCount: 1, [R.claim(0, by: "ghost", at: 200)])
        XCTAssertEqual(state.leaseExpiry(of: 0), 200 + SearchState.defaultLease)
        XCTAssertEqual(SearchState.defaultLease, 30)
        XCTAssertTrue(state.isHeld(0, at: 229.9))
        XCTAssertFalse(state.isHeld(0, at: 230))
    }

    func testAHeartbeatOfAProcessThatNeverJoinedIsIgnoredWithItsOffset() {
        let state = R.replay(trialCount: 1, [R.join("p1", at: 100), R.beat("ghost", at: 101)])
        XCTAssertEqual(state.ignored.map(\.offset), [100])
        XCTAssertTrue(state.ignored.first?.reason.contains("ghost") ?? false)
        XCTAssertNil(state.processes["ghost"])
    }

    func testAReleaseMakesTheTrialClaimableAndKeepsItsEpoch() {
        var state = R.replay(trialCount: 2, [
            R.join("p1", at: 100, lease: 10),
            R.join("p2", at: 100, lease: 10),
            R.claim(0, by: "p1", at: 100),
            R.release(0, by: "p1", at: 104, epoch: 3),
        ])
        XCTAssertEqual(state.claims[0]?.released, true)
        XCTAssertEqual(state.claims[0]?.epoch, 3)
        XCTAssertNil(state.leaseExpiry(of: 0))
        XCTAssertFalse(state.isHeld(0, at: 104), "released while p1 is still live")
        XCTAssertEqual(state.expiredClaims(at: 200).map(\.trial), [], "given back, not lapsed")

        state.apply(R.claim(0, by: "p2", at: 105), at: 400)
        XCTAssertEqual(state.claims[0]?.released, false)
        XCTAssertEqual(state.claims[0]?.epoch, 3, "the new holder continues from the checkpoint")
        XCTAssertEqual(state.claims[0]?.process, "p2")
        XCTAssertEqual(state.leaseExpiry(of: 0), 115)
        XCTAssertTrue(state.isHeld(0, at: 106))
    }

    func testAReleaseByAProcessThatDoesNotHoldTheClaimChangesNothing() {
        let state = R.replay(trialCount: 2, [
            R.join("p1", at: 100), R.join("p2", at: 100),
            R.claim(0, by: "p1", at: 100),
            R.release(0, by: "p2", at: 101, epoch: 7),
            R.release(1, by: "p2", at: 101, epoch: 7),
        ])
        XCTAssertEqual(state.claims[0]?.released, false)
        XCTAssertEqual(state.claims[0]?.epoch, 0)
        XCTAssertTrue(state.isHeld(0, at: 101))
        XCTAssertNil(state.claims[1])
    }

    func testALeaveMakesTheProcessesClaimsLapseAtOnce() {
        let state = R.replay(trialCount: 3, [
            R.join("p1", at: 100, lease: 60),
            R.join("p2", at: 100, lease: 60),
            R.claim(0, by: "p1", at: 100),
            R.claim(1, by: "p2", at: 100),
            R.leave("p1", at: 105, reason: "signal"),
        ])
        XCTAssertNil(state.leaseExpiry(of: 0))
        XCTAssertFalse(state.isHeld(0, at: 105))
        XCTAssertTrue(state.isHeld(1, at: 105))
        XCTAssertEqual(state.expiredClaims(at: 105).map(\.trial), [0])
        XCTAssertEqual(state.processes["p1"]?.left, "signal")
        XCTAssertFalse(state.isLive("p1", at: 105))
        XCTAssertTrue(state.isLive("p2", at: 105))
        XCTAssertEqual(state.liveProcesses(at: 105).map(\.id), ["p2"])
        XCTAssertEqual(state.lastLeave?.reason, "signal")
        XCTAssertEqual(state.lastLeave?.time, 105)
        XCTAssertFalse(state.holds("p2", 0))
        XCTAssertTrue(state.holds("p1", 0), "the claim is still p1's, only lapsed")
    }

    func testProcessesAreKeptInJoiningOrder() {
        let state = R.replay(trialCount: 1, [R.join("c", at: 100), R.join("a", at: 101), R.join("b", at: 102), R.join("a", at: 103)])
        XCTAssertEqual(state.processOrder, ["c", "a", "b"])
        XCTAssertEqual(state.liveProcesses(at: 104).map(\.id), ["c", "a", "b"])
        XCTAssertEqual(state.liveProcesses(at: 111).map(\.id), ["a", "b"], "c's lease (10 s from 100) ran out")
    }

    // MARK: - Elapsed time

    func testElapsedOfOverlappingLifetimesIsTheirUnion() {
        let state = R.replay(trialCount: 1, [
            R.join("p1", at: 100), R.join("p2", at: 120),
            R.leave("p1", at: 150), R.leave("p2", at: 200),
        ])
        XCTAssertEqual(state.elapsed(at: 1000), 100)          // [100, 200]
    }

    func testElapsedOfDisjointLifetimesIsTheirSum() {
        let state = R.replay(trialCount: 1, [
            R.join("p1", at: 100), R.leave("p1", at: 150),
            R.join("p2", at: 200), R.leave("p2", at: 260),
        ])
        XCTAssertEqual(state.elapsed(at: 1000), 110)          // 50 + 60
    }

    func testElapsedOfNestedTouchingAndMixedLifetimes() {
        let nested = R.replay(trialCount: 1, [R.join("p1", at: 100), R.join("p2", at: 120), R.leave("p2", at: 130), R.leave("p1", at: 200)])
        XCTAssertEqual(nested.elapsed(at: 1000), 100)
        let touching = R.replay(trialCount: 1, [R.join("p1", at: 100), R.leave("p1", at: 150), R.join("p2", at: 150), R.leave("p2", at: 170)])
        XCTAssertEqual(touching.elapsed(at: 1000), 70)
        // Joined out of time order; three spans: [100, 130] ∪ [120, 140] = 40, [300, 310] = 10, [500, 525] = 25.
        let mixed = R.replay(trialCount: 1, [
            R.join("late", at: 500), R.join("p1", at: 120), R.join("p0", at: 100), R.join("p3", at: 300),
            R.leave("p0", at: 130), R.leave("p1", at: 140), R.leave("p3", at: 310), R.leave("late", at: 525),
        ])
        XCTAssertEqual(mixed.elapsed(at: 1000), 75)
    }

    /// A live process counts up to now; one whose lease lapsed without a leave counts up to its last sign of life.
    func testElapsedOfALiveAndOfAVanishedProcess() {
        let state = R.replay(trialCount: 1, [R.join("p1", at: 100, lease: 30), R.beat("p1", at: 110)])
        XCTAssertEqual(state.elapsed(at: 125), 25)
        XCTAssertEqual(state.elapsed(at: 139.5), 39.5)
        XCTAssertEqual(state.elapsed(at: 140), 10, "lapsed at 140: it ran from 100 to its last beat at 110")
        XCTAssertEqual(state.elapsed(at: 5000), 10)

        let mixed = R.replay(trialCount: 1, [R.join("p1", at: 100), R.leave("p1", at: 150), R.join("p2", at: 140, lease: 30)])
        XCTAssertEqual(mixed.elapsed(at: 165), 65)            // [100, 150] ∪ [140, 165]
        XCTAssertEqual(SearchState(trialCount: 1).elapsed(at: 100), 0)
    }

    // MARK: - Stop and resume

    func testStopAndResumeToggle() {
        var state = SearchState(trialCount: 1)
        XCTAssertFalse(state.stopped)
        let sequence: [(JournalRecord, Bool)] = [
            (.stop(by: "u", time: 1), true), (.resume(by: "u", time: 2), false), (.resume(by: "u", time: 3), false),
            (.stop(by: "u", time: 4), true), (.stop(by: "v", time: 5), true), (.resume(by: "v", time: 6), false),
            (.stop(by: "u", time: 7), true),
        ]
        for (i, (record, stopped)) in sequence.enumerated() {
            state.apply(record, at: i)
            XCTAssertEqual(state.stopped, stopped, "after \(record)")
        }
        XCTAssertTrue(state.ignored.isEmpty)
    }

    // MARK: - Helpers

    private func finished(_ applied: SearchState.Applied) -> SearchState.Finished? {
        if case let .finished(f, _) = applied { return f }
        return nil
    }

    private func row(_ applied: SearchState.Applied) -> String? {
        if case let .finished(_, row) = applied { return row }
        return nil
    }
}
