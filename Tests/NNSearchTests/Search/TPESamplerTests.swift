import Dispatch
import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// `TPESampler` and its estimators: determinism, bounds, the good/bad split, and that it beats
/// uniform draws on small problems whose optimum is known.
final class TPESamplerTests: XCTestCase {
    /// Trials 0 ..< `trials` of a sequential search: trial n suggests from all earlier results
    /// with `Random(seed:stream: n)`, and is scored by `score`.
    private func search(_ sampler: TPESampler, trials: Int, seed: UInt64, score: ([Double]) -> Double) -> [[Double]] {
        var observations: [TPEObservation] = []
        for n in 0..<trials {
            var random = Random(seed: seed, stream: UInt64(n))
            let point = sampler.suggest(observations, random: &random)
            observations.append(TPEObservation(point: point, score: score(point)))
        }
        return observations.map(\.point)
    }

    /// The same dimensions drawn uniformly every trial: the random search TPE must beat.
    private func uniform(_ dimensions: [TPEDimension]) -> TPESampler {
        TPESampler(dimensions: dimensions, settings: .init(startupTrials: .max))
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : 0.5 * (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2])
    }

    private let mixed: [TPEDimension] = [
        .real(low: 0, high: 1, log: false), .real(low: 1e-4, high: 1, log: true), .integer(low: 1, high: 4),
        .categorical(count: 3), .integer(low: -3, high: 30), .real(low: -2, high: 5, log: false),
    ]

    /// A score over `mixed` with a clear optimum, −∞ for a corner of the space (a "diverged" trial).
    private func mixedScore(_ p: [Double]) -> Double {
        if p[1] > 0.3 && p[3] == 0 { return -.infinity }
        let lr = log10(p[1]) + 2
        return -((p[0] - 0.3) * (p[0] - 0.3) + lr * lr / 4 + abs(p[2] - 3) / 3 + (p[3] == 2 ? 0 : 0.5)
                 + abs(p[4] - 12) / 33 + (p[5] - 1) * (p[5] - 1) / 49)
    }

    /// `count` observations over `mixed` drawn uniformly from `seed`, scored by `mixedScore`.
    private func mixedObservations(_ count: Int, seed: UInt64) -> [TPEObservation] {
        (0..<count).map { n in
            var random = Random(seed: seed, stream: UInt64(n), 7)
            let point = mixed.map { $0.drawUniform(&random) }
            return TPEObservation(point: point, score: mixedScore(point))
        }
    }

    // MARK: - Determinism

    func testTheSameInputsAndGeneratorGiveTheSamePoint() {
        let observations = mixedObservations(60, seed: 5)
        XCTAssertTrue(observations.contains { $0.score == -.infinity }, "the fixture has bad trials")
        let sampler = TPESampler(dimensions: mixed)
        let start = Random(seed: 11, stream: 60)
        var first = start, second = start
        let a = sampler.suggest(observations, random: &first)
        // Another generator, drawn from between the calls, and a second sampler value change nothing.
        var unrelated = Random(seed: 11, stream: 60)
        _ = (0..<100).map { _ in unrelated.next() }
        let b = TPESampler(dimensions: mixed).suggest(observations, random: &second)
        XCTAssertEqual(a, b)
        XCTAssertEqual(first, second, "the same draws were consumed")

        // Computed on many threads at once: still the same point.
        let results = Locked([[Double]](repeating: [], count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var random = start
            let point = sampler.suggest(observations, random: &random)
            results.withLock { $0[i] = point }
        }
        XCTAssertEqual(results.current, [[Double]](repeating: a, count: 8))

        var other = Random(seed: 12, stream: 60)
        XCTAssertNotEqual(sampler.suggest(observations, random: &other), a, "the generator is used")
    }

    func testAWholeSearchRepeatsExactly() {
        let sampler = TPESampler(dimensions: mixed)
        XCTAssertEqual(search(sampler, trials: 40, seed: 3, score: mixedScore),
                       search(sampler, trials: 40, seed: 3, score: mixedScore))
    }

    // MARK: - Bounds

    func testSuggestionsStayInsideTheirDimensions() {
        let dimensions: [TPEDimension] = [
            .real(low: 0, high: 1, log: false), .real(low: 1e-4, high: 1, log: true), .integer(low: 1, high: 4),
            .integer(low: 7, high: 7), .real(low: 2.5, high: 2.5, log: false), .real(low: 0.1, high: 0.1, log: true),
            .categorical(count: 1), .categorical(count: 3), .integer(low: -3, high: 3), .real(low: 1, high: 1e6, log: true),
        ]
        func check(_ point: [Double], file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(point.count, dimensions.count, file: file, line: line)
            for (value, dimension) in zip(point, dimensions) {
                switch dimension {
                case let .real(low, high, _):
                    XCTAssertTrue(value >= low && value <= high, "\(value) outside \(dimension)", file: file, line: line)
                case let .integer(low, high):
                    XCTAssertTrue(value >= Double(low) && value <= Double(high) && value == value.rounded(),
                                  "\(value) not a whole number of \(dimension)", file: file, line: line)
                case let .categorical(count):
                    XCTAssertTrue(value >= 0 && value < Double(count) && value == value.rounded(),
                                  "\(value) not an index of \(dimension)", file: file, line: line)
                }
            }
            XCTAssertEqual(Array(point[3...6]), [7, 2.5, 0.1, 0], "one-value dimensions give that value", file: file, line: line)
        }
        for seed: UInt64 in 0..<3 {
            // Scores that favour the edges, where clamping matters, and some bad trials.
            let points = search(TPESampler(dimensions: dimensions), trials: 60, seed: seed) { p in
                p[7] == 1 ? -.infinity : p[0] + p[1] - p[2] + abs(p[8]) + log(p[9])
            }
            points.forEach { check($0) }
        }
        // Observations outside the dimensions, or not finite, are clamped or ignored.
        let strange = (0..<30).map { (n: Int) -> TPEObservation in
            let even = n % 2 == 0
            let point: [Double] = [even ? -5 : 7, n % 3 == 0 ? .nan : 1e-9, 99, 7, 2.5, 0.1, 0, even ? 5 : -1, .infinity, 1e9]
            return TPEObservation(point: point, score: Double(n % 7))
        }
        for seed: UInt64 in 0..<10 {
            var random = Random(seed: seed)
            check(TPESampler(dimensions: dimensions).suggest(strange, random: &random))
        }
    }

    // MARK: - Split and weights

    func testBadObservationsAreNeverGood() {
        let scores: [Double] = [-.infinity, 0.5, -.infinity, .nan, 0.2, 0.5, -.infinity] + [Double](repeating: -.infinity, count: 23)
        let observations = scores.map { TPEObservation(point: [0], score: $0) }
        let sampler = TPESampler(dimensions: [.categorical(count: 2)])
        XCTAssertEqual(sampler.settings.goodCount(of: 30), 3)
        let (good, bad) = sampler.split(observations)
        XCTAssertEqual(good, [1, 4, 5], "only the finite scores, though γ(30) = 3 could take one more")
        XCTAssertEqual(bad, [0, 2, 3] + Array(6..<30))

        // Equal scores: the earlier is good.
        let tied = [0.1, 0.9, 0.9, 0.9, 0.3, 0.9, 0.2, 0.1, 0.1, 0.1, 0.1].map { TPEObservation(point: [0], score: $0) }
        XCTAssertEqual(sampler.split(tied).good, [1, 2], "γ(11) = 2 of four equal best scores")

        // In use: every bad trial sits in category 0, the three finite (poor) ones in category 1.
        let points = (0..<30).map { n in TPEObservation(point: [n < 27 ? 0 : 1], score: n < 27 ? -.infinity : -1000) }
        for seed: UInt64 in 0..<10 {
            var random = Random(seed: seed)
            XCTAssertEqual(sampler.suggest(points, random: &random), [1])
        }
    }

    func testGammaAndWeightsFollowOptunasDefaults() {
        let settings = TPESampler.Settings()
        XCTAssertEqual([0, 1, 9, 10, 11, 30, 31, 240, 241, 1000].map(settings.goodCount(of:)), [0, 1, 1, 1, 2, 3, 4, 24, 25, 25])
        for n in 0...1000 {
            // Optuna's default_gamma, in floating point as Python computes it.
            XCTAssertEqual(settings.goodCount(of: n), min(Int((0.1 * Double(n)).rounded(.up)), 25), "n = \(n)")
        }
        XCTAssertEqual(settings.weights(count: 3), [1, 1, 1])
        XCTAssertEqual(settings.weights(count: 25), [Double](repeating: 1, count: 25))
        XCTAssertEqual(settings.weights(count: 26), [1.0 / 26] + [Double](repeating: 1, count: 25))
        let weights = settings.weights(count: 35)
        XCTAssertEqual(weights.count, 35)
        XCTAssertEqual(weights[0], 1.0 / 35)
        XCTAssertEqual(weights[9], 1, accuracy: 1e-15, "the ramp ends at 1")
        XCTAssertEqual(weights[5] - weights[4], (1 - 1.0 / 35) / 9, accuracy: 1e-15, "evenly spaced")
        XCTAssertEqual(Array(weights[10...]), [Double](repeating: 1, count: 25))
    }

    func testFewObservationsOrNoGoodOneDrawFromThePrior() {
        let sampler = TPESampler(dimensions: mixed)
        let prior: (UInt64) -> [Double] = { seed in
            var random = Random(seed: seed)
            return self.mixed.map { $0.drawUniform(&random) }
        }
        let few = Array(mixedObservations(9, seed: 1))
        let allBad = mixedObservations(40, seed: 1).map { TPEObservation(point: $0.point, score: -.infinity) }
        for seed: UInt64 in 0..<5 {
            var a = Random(seed: seed), b = Random(seed: seed), c = Random(seed: seed)
            XCTAssertEqual(sampler.suggest([], random: &a), prior(seed))
            XCTAssertEqual(sampler.suggest(few, random: &b), prior(seed), "9 < 10 startup trials")
            XCTAssertEqual(sampler.suggest(allBad, random: &c), prior(seed), "nothing good to model")
        }
        var random = Random(seed: 0)
        XCTAssertNotEqual(sampler.suggest(mixedObservations(10, seed: 1), random: &random), prior(0), "10 observations use the model")
    }

    // MARK: - Pending points

    func testPendingPointsJoinTheBadGroupWithoutCountingInGamma() {
        // 21 observations (γ = 3) and 8 pending points: the same suggestion as the 29 observations with the
        // pending ones scored −∞ (γ(29) = 3 too; the bad group is the same 26 in the same order).
        let observations = mixedObservations(21, seed: 4)
        let pending = mixedObservations(8, seed: 9).map(\.point)
        let sampler = TPESampler(dimensions: mixed)
        XCTAssertEqual(sampler.settings.goodCount(of: 21), sampler.settings.goodCount(of: 29))
        for seed: UInt64 in 0..<5 {
            var a = Random(seed: seed), b = Random(seed: seed)
            XCTAssertEqual(sampler.suggest(observations, pending: pending, random: &a),
                           sampler.suggest(observations + pending.map { TPEObservation(point: $0, score: -.infinity) }, random: &b))
        }
        // Nor do they count towards the startup trials: 9 observations and 8 pending are still the prior's draw.
        for seed: UInt64 in 0..<5 {
            var a = Random(seed: seed), b = Random(seed: seed)
            XCTAssertEqual(sampler.suggest(Array(observations.prefix(9)), pending: pending, random: &a),
                           mixed.map { $0.drawUniform(&b) })
        }
    }

    func testPendingPointsPushSuggestionsAwayFromThemselves() {
        // 30 observations of a quadratic with its optimum at 0.3; 8 pending trials sit at the optimum.
        let dimension: [TPEDimension] = [.real(low: 0, high: 1, log: false)]
        let observations = (0..<30).map { (n: Int) -> TPEObservation in
            var random = Random(seed: 2, stream: UInt64(n))
            let x = random.nextDouble()
            return TPEObservation(point: [x], score: -(x - 0.3) * (x - 0.3))
        }
        let sampler = TPESampler(dimensions: dimension)
        func distances(pending: [[Double]]) -> [Double] {
            (0..<200).map { (seed: UInt64) in
                var random = Random(seed: seed, stream: 30)
                return abs(sampler.suggest(observations, pending: pending, random: &random)[0] - 0.3)
            }
        }
        let alone = median(distances(pending: []))
        let crowded = median(distances(pending: [[Double]](repeating: [0.3], count: 8)))
        XCTAssertGreaterThan(crowded, alone, "median distance from 0.3: \(crowded) with the pending trials there, \(alone) without")
        XCTAssertLessThan(crowded, 0.25, "still nearer 0.3 than uniform draws are (their median distance: 0.25)")
    }

    // MARK: - Search quality

    /// The last 10 of 40 trials of a 1-D search, from each of 10 seeds, by `sampler`.
    private func lastTen(_ sampler: TPESampler, score: ([Double]) -> Double) -> [Double] {
        (0..<10).flatMap { (seed: UInt64) in search(sampler, trials: 40, seed: seed, score: score)[30...].map { $0[0] } }
    }

    // Optuna 5.0's TPESampler on these three problems, last 10 of 40 trials from 10 seeds pooled: median
    // distance 0.095 (uniform 0.28), 0.37 decades (uniform 0.78), 2 (uniform 5); over 100 seeds on
    // the log scale, Optuna 0.397 decades and this sampler 0.383.

    func testAQuadraticConvergesNearItsOptimum() {
        let dimension: [TPEDimension] = [.real(low: 0, high: 1, log: false)]
        let score: ([Double]) -> Double = { -($0[0] - 0.3) * ($0[0] - 0.3) }
        let tpe = median(lastTen(TPESampler(dimensions: dimension), score: score).map { abs($0 - 0.3) })
        let random = median(lastTen(uniform(dimension), score: score).map { abs($0 - 0.3) })
        XCTAssertLessThan(tpe, 0.12, "uniform: \(random)")
        XCTAssertLessThan(tpe, 0.5 * random, "TPE \(tpe), uniform \(random)")
    }

    func testTheBestCategoryWins() {
        let dimension: [TPEDimension] = [.categorical(count: 5)]
        var picks = [Int](repeating: 0, count: 5)
        for seed: UInt64 in 0..<20 {
            let points = search(TPESampler(dimensions: dimension), trials: 21, seed: seed) { p in
                (p[0] == 2 ? 1 : 0) + Double(Int(p[0]) * 7 % 5) / 100
            }
            picks[Int(points[20][0])] += 1
        }
        XCTAssertGreaterThanOrEqual(picks[2], 14, "the 21st suggestion of 20 searches: \(picks)")
    }

    func testALogScaleConcentratesNearItsOptimum() {
        let dimension: [TPEDimension] = [.real(low: 1e-4, high: 1, log: true)]
        let score: ([Double]) -> Double = { -(log10($0[0]) + 2) * (log10($0[0]) + 2) }
        let tpe = median(lastTen(TPESampler(dimensions: dimension), score: score).map { abs(log10($0) + 2) })
        let random = median(lastTen(uniform(dimension), score: score).map { abs(log10($0) + 2) })
        XCTAssertLessThan(tpe, 0.6, "decades from 1e-2 (log-uniform: \(random))")
        XCTAssertLessThan(tpe, 0.65 * random, "TPE \(tpe), log-uniform \(random)")
    }

    func testAWholeNumberConvergesNearItsOptimum() {
        let dimension: [TPEDimension] = [.integer(low: 1, high: 20)]
        let score: ([Double]) -> Double = { -abs($0[0] - 7) }
        let tpe = median(lastTen(TPESampler(dimensions: dimension), score: score).map { abs($0 - 7) })
        let random = median(lastTen(uniform(dimension), score: score).map { abs($0 - 7) })
        XCTAssertLessThanOrEqual(tpe, 2.5, "uniform: \(random)")
        XCTAssertLessThan(tpe, 0.6 * random, "TPE \(tpe), uniform \(random)")
    }

    // MARK: - Estimators

    func testBandwidthsFollowTheNeighbourRule() {
        // Sorted 0.2, 0.5, 0.9; the smallest bandwidth is 1 / min(100, 1 + 3).
        XCTAssertEqual(ParzenEstimator.bandwidths([0.2, 0.9, 0.5], low: 0, high: 1), [0.3, 0.4, 0.4], accuracy: 1e-15)
        // Equal centres sort by position: the first has the gap 0 (clipped up), the second the gap to 0.9.
        XCTAssertEqual(ParzenEstimator.bandwidths([0.3, 0.3, 0.9], low: 0, high: 1), [0.25, 0.6, 0.6], accuracy: 1e-15)
        XCTAssertEqual(ParzenEstimator.bandwidths([0.5], low: 0, high: 2), [2])
        let estimator = ParzenEstimator(values: [0.9, 0.2], weights: [1, 1], low: 0, high: 1, priorWeight: 1)
        XCTAssertEqual(estimator.centres, [0.2, 0.5, 0.9], "ascending, the prior in the middle")
        XCTAssertEqual(estimator.sigmas, [0.3, 1, 0.4], accuracy: 1e-15, "the prior spans the range")
        // Whole numbers 1 ... 10 (smallest bandwidth 10 / 6): the first 8 has the gap 2.5 to the prior,
        // the next two share the smallest and become one component.
        let repeated = ParzenEstimator(values: [8, 8, 8, 1], weights: [1, 0.5, 1, 1], low: 0.5, high: 10.5, priorWeight: 1)
        XCTAssertEqual(repeated.centres, [1, 5.5, 8, 8])
        XCTAssertEqual(repeated.sigmas, [4.5, 10, 2.5, 10.0 / 6], accuracy: 1e-15)
        let unmerged: [(Double, Double, Double)] = [(1, 4.5, 1), (5.5, 10, 1), (8, 2.5, 1), (8, 10.0 / 6, 0.5), (8, 10.0 / 6, 1)]
        for x in [1.0, 4, 7.9, 8, 10] {
            XCTAssertEqual(repeated.logDensity(at: x), log(mixtureDensity(unmerged, at: x, low: 0.5, high: 10.5)), accuracy: 1e-13)
        }
    }

    func testTheDensityIntegratesToOne() {
        // 150 centres bunched near both bounds: bandwidths down to range / 100, and much mass truncated.
        let values = (0..<150).map { (i: Int) -> Double in i % 2 == 0 ? 0.002 * Double(i % 7) : 3 - 0.001 * Double(i % 5) }
        let weights = (0..<150).map { (i: Int) -> Double in 0.1 + Double(i % 4) }
        let estimator = ParzenEstimator(values: values, weights: weights, low: 0, high: 3, priorWeight: 1)
        XCTAssertEqual(estimator.sigmas.min()!, 0.03, accuracy: 1e-15)
        // Composite Simpson with h = 1.5e-4 = σ / 200: the error, O((h/σ)⁴) relative, is far below 1e-8.
        let n = 20_000, h = 3.0 / Double(n)
        var sum = 0.0
        for i in 0...n {
            let f = exp(estimator.logDensity(at: Double(i) * h))
            sum += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2)
        }
        XCTAssertEqual(sum * h / 3, 1, accuracy: 1e-8)
        XCTAssertEqual(exp(estimator.logMass(from: 0, to: 3)), 1, accuracy: 1e-12)

        // Whole numbers 1 ... 6: the cells' masses sum to 1.
        let cells = ParzenEstimator(values: [1, 1, 6, 3], weights: [1, 0.5, 1, 1], low: 0.5, high: 6.5, priorWeight: 1)
        let masses = (1...6).map { exp(cells.logMass(from: Double($0) - 0.5, to: Double($0) + 0.5)) }
        XCTAssertEqual(masses.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertGreaterThan(masses[0], masses[1], "more weight at 1 than at 2")
    }

    func testCategoryProbabilitiesSumToOne() {
        let estimator = CategoricalEstimator(values: [0, 2, 2, 4], weights: [1, 0.5, 1, 0.25], count: 5, priorWeight: 1)
        // The prior's 1 spread over 5, plus the weights: 2.75 in all.
        XCTAssertEqual(estimator.probabilities, [1.2, 0.2, 1.7, 0.2, 0.45].map { $0 / 3.75 }, accuracy: 1e-15)
        XCTAssertEqual(estimator.probabilities.reduce(0, +), 1, accuracy: 5 * Double.ulpOfOne)
        var random = Random(seed: 1)
        var drawn = [Int](repeating: 0, count: 5)
        for _ in 0..<20_000 { drawn[estimator.draw(&random)] += 1 }
        for k in 0..<5 {
            // Four standard deviations of a binomial count.
            let p = estimator.probabilities[k]
            XCTAssertEqual(Double(drawn[k]), 20_000 * p, accuracy: 4 * (20_000 * p * (1 - p)).squareRoot(), "category \(k)")
        }
    }

    // MARK: - The joint estimator (multivariate)

    private let joint: [TPEDimension] = [.real(low: 0, high: 2, log: false), .categorical(count: 3), .integer(low: 1, high: 4)]

    /// Points near the bounds and in the middle, weights unequal: a mixture with truncated kernels.
    private func jointEstimator(priorWeight: Double = 1) -> JointParzenEstimator {
        JointParzenEstimator(dimensions: joint, centres: [[0.01, 0, 1], [1.9, 2, 4], [1.0, 2, 2], [0.3, 1, 4]],
                             weights: [1, 0.5, 1, 0.25], priorWeight: priorWeight, bandwidthFactor: 0.2)
    }

    func testTheJointDensityIntegratesToOne() {
        let estimator = jointEstimator()
        // Simpson over the real dimension (h far below the smallest bandwidth, 0.2 · 4^(−1/7) · 2 ≈ 0.33),
        // summed over every category and every whole number's cell.
        let n = 4_000, h = 2.0 / Double(n)
        var total = 0.0
        for category in 0..<3 {
            for whole in 1...4 {
                var sum = 0.0
                for i in 0...n {
                    let f = exp(estimator.logDensity(at: [Double(i) * h, Double(category), Double(whole)]))
                    sum += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2)
                }
                total += sum * h / 3
            }
        }
        XCTAssertEqual(total, 1, accuracy: 1e-9)
    }

    func testTheJointDensityIsItsKernelsTermByTerm() {
        let estimator = jointEstimator(priorWeight: 2)
        let sigma = 0.2 * pow(4, -1.0 / 7)          // 3 searched dimensions: m^(−1/(3 + 4)), times the factor
        XCTAssertEqual(estimator.sigmas, [sigma * 2, 0, 1], accuracy: 1e-15, "whole numbers: at least one unit (not 0.66)")
        let s = 2.0 / 4                                  // the prior weight over 4 observations
        let weights = [1, 0.5, 1, 0.25, 2.0], total = weights.reduce(0, +)
        let phi = { (z: Double) in 0.5 * erfc(-z / 2.0.squareRoot()) }
        func kernel(_ k: Int, _ x: [Double]) -> Double {
            let prior = k == 4
            let centre = prior ? [1, -1, 2.5] : estimator.centres[k]
            let (s0, s2) = prior ? (2.0, 4.0) : (sigma * 2, 1.0)
            let real = exp(-0.5 * pow((x[0] - centre[0]) / s0, 2)) / (s0 * (2 * Double.pi).squareRoot())
                / (phi((2 - centre[0]) / s0) - phi((0 - centre[0]) / s0))
            let category = prior ? 1.0 / 3 : ((x[1] == centre[1] ? 1 : 0) + s / 3) / (1 + s)
            let cell = (phi((x[2] + 0.5 - centre[2]) / s2) - phi((x[2] - 0.5 - centre[2]) / s2))
                / (phi((4.5 - centre[2]) / s2) - phi((0.5 - centre[2]) / s2))
            return real * category * cell
        }
        for x in [[0.0, 0, 1], [0.05, 0, 1], [1.95, 2, 4], [1, 1, 3], [0.7, 2, 2], [2, 1, 4]] {
            let expected = (0..<5).map { weights[$0] / total * kernel($0, x) }.reduce(0, +)
            XCTAssertEqual(estimator.logDensity(at: x), log(expected), accuracy: 1e-12, "\(x)")
        }
    }

    func testJointDrawsFollowTheDensity() {
        // Category and whole number only: each of the 12 cells' frequency against its probability.
        let dimensions: [TPEDimension] = [.categorical(count: 3), .integer(low: 1, high: 4)]
        let estimator = JointParzenEstimator(dimensions: dimensions, centres: [[0, 1], [2, 4], [2, 2]], weights: [1, 0.5, 1],
                                             priorWeight: 1, bandwidthFactor: 0.3)
        var random = Random(seed: 3)
        var counts = [[Double]: Int]()
        let draws = 40_000
        for _ in 0..<draws { counts[estimator.draw(&random), default: 0] += 1 }
        var probabilitySum = 0.0
        for category in 0..<3 {
            for whole in 1...4 {
                let point = [Double(category), Double(whole)]
                let p = exp(estimator.logDensity(at: point))
                probabilitySum += p
                XCTAssertEqual(Double(counts[point] ?? 0), Double(draws) * p,
                               accuracy: 4 * (Double(draws) * p * (1 - p)).squareRoot(), "\(point)")
            }
        }
        XCTAssertEqual(probabilitySum, 1, accuracy: 1e-12)
        XCTAssertEqual(counts.values.reduce(0, +), draws, "every draw is one of the cells")
    }

    func testTheJointSamplerKeepsValuesThatWereGoodTogether() {
        // A depth-like choice of 4 and a log-scale rate whose best value depends on it (10^−1 for the
        // first choice ... 10^−4 for the last), every choice as good at its own best rate: each
        // dimension alone says little, so the independent sampler pairs one good trial's choice with
        // another's rate, while the joint one keeps them together.
        let dimensions: [TPEDimension] = [.categorical(count: 4), .real(low: 1e-5, high: 1, log: true)]
        let miss: ([Double]) -> Double = { abs(log10($0[1]) + 1 + $0[0]) }      // decades from the choice's best rate
        func misses(_ settings: TPESampler.Settings) -> Double {
            median((0..<20).flatMap { (seed: UInt64) in
                search(TPESampler(dimensions: dimensions, settings: settings), trials: 40, seed: seed) { -miss($0) }[30...].map(miss)
            })
        }
        let joint = misses(TPESampler.Settings()), independent = misses(TPESampler.Settings(multivariate: false))
        let uniform = misses(TPESampler.Settings(startupTrials: .max))
        XCTAssertLessThan(joint, 0.75 * independent, "joint \(joint), independent \(independent), uniform \(uniform)")
        XCTAssertLessThan(independent, uniform)
    }
}

/// The density at `x` of a mixture of Gaussians (centre, sigma, weight) truncated to `low ... high`, term by term.
private func mixtureDensity(_ components: [(Double, Double, Double)], at x: Double, low: Double, high: Double) -> Double {
    let total = components.map(\.2).reduce(0, +)
    let phi = { (z: Double) in 0.5 * erfc(-z / 2.0.squareRoot()) }
    return components.map { c, s, w in
        let z = (x - c) / s
        return w / total * exp(-0.5 * z * z) / (s * (2 * Double.pi).squareRoot()) / (phi((high - c) / s) - phi((low - c) / s))
    }.reduce(0, +)
}

/// `a` and `b` agree element by element within `accuracy`.
private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b) \(message)", file: file, line: line) }
}
