import Foundation
import NNSearchKernel

/// A Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011) as a pure value: the point it suggests depends
/// only on its dimensions and settings, the observations in the order given, and the `Random`
/// passed in.
///
/// - Split: of n observations, the γ(n) best by score are good (equal scores: the earlier first),
///   the rest bad; a score of −∞ or NaN is never good. Each group keeps trial order, which sets
///   its weights (`Settings.weights`).
/// - Pending points — trials already suggested whose results the suggestion does not wait for —
///   join the bad group after the observations, as Optuna's `constant_liar` adds its running
///   trials: the next suggestion is pushed away from points already being tried rather than
///   repeating them. They count neither in n for γ(n) nor towards `startupTrials`.
/// - Multivariate (the default, `Settings.multivariate`, as Optuna 5's): l and g are each one
///   `JointParzenEstimator` over all dimensions; `candidates` whole points are drawn from l, each
///   scored log l(x) − log g(x); the first best wins.
/// - Independent dimensions otherwise: each dimension gets its own good estimator l and bad
///   estimator g from its values alone, and its own candidates. Reals: a `ParzenEstimator` on the
///   working scale (the log, for a log dimension). Whole numbers: the same over
///   `low − 0.5 ... high + 0.5`; a draw is rounded, and scored by the probability of its unit cell
///   under l and g (Optuna's handling). Categories: a `CategoricalEstimator`.
/// - Prior: with fewer than `startupTrials` observations, or none good, each dimension is drawn
///   uniformly (log-uniformly on a log scale).
///
/// Randomness is consumed dimension by dimension, candidates in order; a dimension with one
/// value draws nothing. Every sum runs in an order the inputs fix (the observations' order, or
/// ascending values with ties by index), so nothing depends on hashing, threads or timing.
package struct TPESampler: Sendable {
    package let dimensions: [TPEDimension]
    package let settings: Settings

    package init(dimensions: [TPEDimension], settings: Settings = Settings()) {
        for dimension in dimensions { dimension.validate() }
        self.dimensions = dimensions
        self.settings = settings
    }

    /// A new point, one value per dimension, inside its bounds and whole where it must be, from
    /// the observations in trial order and the `pending` points (one value per dimension each);
    /// all randomness from `random`.
    package func suggest(_ observations: [TPEObservation], pending: [[Double]] = [], random: inout Random) -> [Double] {
        for observation in observations {
            precondition(observation.point.count == dimensions.count, "one value per dimension")
        }
        for point in pending { precondition(point.count == dimensions.count, "one value per dimension") }
        let (good, worse) = split(observations)
        guard observations.count >= settings.startupTrials, !good.isEmpty else {
            return dimensions.map { $0.drawUniform(&random) }
        }
        let all = observations + pending.map { TPEObservation(point: $0, score: -.infinity) }
        let bad = worse + Array(observations.count..<all.count)
        if settings.multivariate {
            return suggestJointly(good: points(good, in: all), bad: points(bad, in: all), random: &random)
        }
        return dimensions.indices.map { d in
            suggest(dimension: d, good: column(d, of: good, in: all),
                    bad: column(d, of: bad, in: all), random: &random)
        }
    }

    /// The indices of the good and the bad observations, each in ascending (trial) order.
    func split(_ observations: [TPEObservation]) -> (good: [Int], bad: [Int]) {
        let finite = observations.indices.filter { observations[$0].score > -Double.infinity }
        let ranked = finite.sorted { a, b in
            let (x, y) = (observations[a].score, observations[b].score)
            return x != y ? x > y : a < b
        }
        var isGood = [Bool](repeating: false, count: observations.count)
        for index in ranked.prefix(settings.goodCount(of: observations.count)) { isGood[index] = true }
        return (observations.indices.filter { isGood[$0] }, observations.indices.filter { !isGood[$0] })
    }

    /// Dimension `d`'s working-scale values of the observations at `indices` (those that are
    /// finite), in order, with the group's weights.
    private func column(_ d: Int, of indices: [Int], in observations: [TPEObservation]) -> (values: [Double], weights: [Double]) {
        let values = indices.compactMap { dimensions[d].working(observations[$0].point[d]) }
        return (values, settings.weights(count: values.count))
    }

    /// The working-scale points of the observations at `indices` whose every value is finite, in
    /// order, with the group's weights.
    private func points(_ indices: [Int], in observations: [TPEObservation]) -> (centres: [[Double]], weights: [Double]) {
        let centres = indices.compactMap { i -> [Double]? in
            var point = [Double]()
            for d in dimensions.indices {
                guard let value = dimensions[d].working(observations[i].point[d]) else { return nil }
                point.append(value)
            }
            return point
        }
        return (centres, settings.weights(count: centres.count))
    }

    /// The point drawn from the joint l with the largest log l − log g, back on the dimensions' scales.
    private func suggestJointly(good: (centres: [[Double]], weights: [Double]), bad: (centres: [[Double]], weights: [Double]),
                                random: inout Random) -> [Double] {
        let l = JointParzenEstimator(dimensions: dimensions, centres: good.centres, weights: good.weights,
                                     priorWeight: settings.priorWeight, bandwidthFactor: settings.bandwidthFactor)
        let g = JointParzenEstimator(dimensions: dimensions, centres: bad.centres, weights: bad.weights,
                                     priorWeight: settings.priorWeight, bandwidthFactor: settings.bandwidthFactor)
        let best = bestCandidate(draw: { l.draw(&$0) }, score: { l.logDensity(at: $0) - g.logDensity(at: $0) }, random: &random)
        return dimensions.indices.map { d in dimensions[d].isFixed ? dimensions[d].lowest : dimensions[d].value(fromWorking: best[d]) }
    }

    /// Dimension `d`'s value: the candidate drawn from l with the largest log l − log g.
    private func suggest(dimension d: Int, good: (values: [Double], weights: [Double]),
                         bad: (values: [Double], weights: [Double]), random: inout Random) -> Double {
        let dimension = dimensions[d]
        if dimension.isFixed { return dimension.lowest }
        switch dimension {
        case let .categorical(count):
            let l = CategoricalEstimator(values: good.values.map { Int($0) }, weights: good.weights,
                                         count: count, priorWeight: settings.priorWeight)
            let g = CategoricalEstimator(values: bad.values.map { Int($0) }, weights: bad.weights,
                                         count: count, priorWeight: settings.priorWeight)
            let best = bestCandidate(draw: { l.draw(&$0) }, score: { l.logProbabilities[$0] - g.logProbabilities[$0] },
                                     random: &random)
            return Double(best)
        case .real, .integer:
            let (low, high) = dimension.workingBounds!
            let l = ParzenEstimator(values: good.values, weights: good.weights, low: low, high: high,
                                    priorWeight: settings.priorWeight)
            let g = ParzenEstimator(values: bad.values, weights: bad.weights, low: low, high: high,
                                    priorWeight: settings.priorWeight)
            if case .real = dimension {
                let best = bestCandidate(draw: { l.draw(&$0) }, score: { l.logDensity(at: $0) - g.logDensity(at: $0) },
                                         random: &random)
                return dimension.value(fromWorking: best)
            }
            var scored: [(value: Double, score: Double)] = []
            return bestCandidate(draw: { dimension.value(fromWorking: l.draw(&$0)) }, score: { k in
                if let known = scored.first(where: { $0.value == k }) { return known.score }
                let score = l.logMass(from: k - 0.5, to: k + 0.5) - g.logMass(from: k - 0.5, to: k + 0.5)
                scored.append((k, score))
                return score
            }, random: &random)
        }
    }

    /// The first of `settings.candidates` draws with the largest score.
    private func bestCandidate<Value>(draw: (inout Random) -> Value, score: (Value) -> Double,
                                      random: inout Random) -> Value {
        var best = draw(&random)
        var bestScore = score(best)
        for _ in 1..<settings.candidates {
            let candidate = draw(&random)
            let candidateScore = score(candidate)
            if candidateScore > bestScore || (bestScore.isNaN && !candidateScore.isNaN) {
                best = candidate
                bestScore = candidateScore
            }
        }
        return best
    }
}
