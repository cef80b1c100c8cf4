import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// `RungSchedule`: where the rungs are and which bracket a trial belongs to.
final class RungScheduleTests: XCTestCase {
    private func schedule(_ kind: Pruning.Kind = .halving, eta: Int = 3, minEpochs: Int, trials: Int = 10, seed: UInt64 = 0,
                          maxEpochs: Int, epochs: @escaping @Sendable (Int) -> Int) -> RungSchedule {
        RungSchedule(pruning: Pruning(kind: kind, eta: eta, minEpochs: minEpochs), seed: seed, trialCount: trials,
                     maxEpochs: maxEpochs, maximize: true, epochs: epochs)
    }

    func testTheLadderIsMinEpochsTimesEtaToTheKThenTheFullEpochs() {
        XCTAssertEqual(schedule(minEpochs: 3, maxEpochs: 30) { _ in 30 }.ladder, [3, 9, 27, 30])
        XCTAssertEqual(schedule(minEpochs: 1, maxEpochs: 27) { _ in 27 }.ladder, [1, 3, 9, 27])
        XCTAssertEqual(schedule(eta: 2, minEpochs: 2, maxEpochs: 16) { _ in 16 }.ladder, [2, 4, 8, 16])
        XCTAssertEqual(schedule(eta: 4, minEpochs: 5, maxEpochs: 6) { _ in 6 }.ladder, [5, 6])
        XCTAssertEqual(schedule(eta: 1000, minEpochs: 1, maxEpochs: 1_000_000) { _ in 1_000_000 }.ladder, [1, 1000, 1_000_000])
        // No overflow with a huge eta and epochs.
        XCTAssertEqual(schedule(eta: 1000, minEpochs: 999_999_999, maxEpochs: 1_000_000_000) { _ in 1 }.ladder, [999_999_999, 1_000_000_000])
    }

    /// A trial's rungs are capped at its own epochs; the first that reaches them is its last.
    func testRungsAreCappedAtTheTrialsEpochs() {
        let s = schedule(minEpochs: 1, maxEpochs: 27) { $0 == 0 ? 27 : 5 }
        XCTAssertEqual((0..<4).map { s.epoch(0, rung: $0) }, [1, 3, 9, 27])
        XCTAssertEqual((0..<4).map { s.isLast(0, rung: $0) }, [false, false, false, true])
        XCTAssertEqual((0..<4).map { s.epoch(1, rung: $0) }, [1, 3, 5, 5])
        XCTAssertEqual((0..<3).map { s.isLast(1, rung: $0) }, [false, false, true])
    }

    func testKeptIsAThirdRoundedDownButAtLeastOne() {
        let s = schedule(minEpochs: 1, maxEpochs: 9) { _ in 9 }
        XCTAssertEqual([27, 9, 3, 2, 1, 10, 100, 33, 11].map(s.kept(of:)), [9, 3, 1, 1, 1, 3, 33, 11, 3])
    }

    func testScoresPutNaNLastAndFollowTheMetricsDirection() {
        let up = schedule(minEpochs: 1, maxEpochs: 9) { _ in 9 }
        XCTAssertEqual(up.score(0.75), 0.75)
        XCTAssertEqual(up.score(.nan), -.infinity)
        let down = RungSchedule(pruning: Pruning(kind: .halving, eta: 3, minEpochs: 1), seed: 0, trialCount: 3, maxEpochs: 9,
                                maximize: false) { _ in 9 }
        XCTAssertGreaterThan(down.score(0.1), down.score(0.2), "val_loss: smaller is better")
        XCTAssertLessThan(down.score(.nan), down.score(1e300))
    }

    // MARK: - Brackets

    func testHalvingHasOneBracketOfEveryTrial() {
        let s = schedule(.halving, minEpochs: 3, trials: 100, maxEpochs: 30) { _ in 30 }
        XCTAssertEqual(s.bracketCount, 1)
        XCTAssertEqual(s.bracketSizes, [100])
        XCTAssertTrue((0..<100).allSatisfy { s.bracket($0) == 0 && s.firstRung($0) == 0 })
    }

    /// The documented hash: u = the first double of `Random(seed: seed, stream: n, 3)`, against
    /// cumulative shares proportional to eta^s / (s + 1).
    func testHyperbandBracketsFollowTheDocumentedHash() {
        for seed: UInt64 in [0, 1, 42, .max] {
            let s = schedule(.hyperband, minEpochs: 3, trials: 2000, seed: seed, maxEpochs: 30) { _ in 30 }
            XCTAssertEqual(s.bracketCount, 4, "rungs 3, 9, 27, 30")
            let weights = [27.0 / 4, 9.0 / 3, 3.0 / 2, 1.0 / 1]
            let total = weights.reduce(0, +)
            var cumulative = [Double]()
            var sum = 0.0
            for w in weights { sum += w; cumulative.append(sum / total) }
            for n in 0..<2000 {
                var random = Random(seed: seed, stream: UInt64(n), 3)
                let u = random.nextDouble()
                let expected = cumulative.firstIndex { u < $0 } ?? 3
                XCTAssertEqual(s.bracket(n), expected, "seed \(seed) trial \(n)")
                XCTAssertEqual(s.firstRung(n), expected)
            }
            XCTAssertEqual(s.bracketSizes.reduce(0, +), 2000)
            for (b, size) in s.bracketSizes.enumerated() {
                let share = weights[b] / total
                // Binomial: 4 standard deviations of 2000 draws.
                let sd = (2000 * share * (1 - share)).squareRoot()
                XCTAssertLessThan(abs(Double(size) - 2000 * share), 4 * sd, "seed \(seed) bracket \(b): \(size)")
            }
        }
    }

    /// The assignment is a contract (results must not change between builds): pinned for seed 7.
    func testHyperbandBracketsAreStable() {
        let s = schedule(.hyperband, minEpochs: 1, trials: 20, seed: 7, maxEpochs: 27) { _ in 27 }
        let again = schedule(.hyperband, minEpochs: 1, trials: 20, seed: 7, maxEpochs: 27) { _ in 27 }
        let brackets = (0..<20).map(s.bracket)
        XCTAssertEqual(brackets, (0..<20).map(again.bracket))
        XCTAssertEqual(brackets, Self.pinnedSeed7)
        let other = schedule(.hyperband, minEpochs: 1, trials: 20, seed: 8, maxEpochs: 27) { _ in 27 }
        XCTAssertNotEqual((0..<20).map(other.bracket), brackets, "another seed, another assignment")
        // A trial's bracket does not depend on how many trials the search has.
        let bigger = schedule(.hyperband, minEpochs: 1, trials: 500, seed: 7, maxEpochs: 27) { _ in 27 }
        XCTAssertEqual((0..<20).map(bigger.bracket), brackets)
    }

    static let pinnedSeed7 = [0, 3, 0, 0, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
}
