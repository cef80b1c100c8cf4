import Foundation
import NNSearchKernel

/// The TPE strategy's points, computed on demand and remembered (one per process, shared by threads).
///
/// Trial n's point is a pure function of the spec, n and the scores of trials below n − lag:
/// trials below `startup` are random search's draws (`Random(seed, stream: n, 1)`); trial n at or
/// above it is `TPESampler.suggest` over the observations of trials 0 ..< n − lag in trial order,
/// with the points of trials n − lag ..< n as pending (results it does not wait for, in the bad
/// group), and its randomness from `Random(seed, stream: n, 4)`. The observations' and pending
/// points are the earlier trials' own points, so computing trial n computes every trial before it once.
final class TPESuggestions: @unchecked Sendable {
    /// A finished trial's score, larger better (−∞ for a diverged or failed one); nil when not finished.
    typealias Scores = (Int) -> Double?

    private let space: [SpaceDimension]
    private let settings: TPESettings
    private let seed: UInt64
    private let sampler: TPESampler
    /// The space entries the sampler models (fixed ones are not dimensions).
    private let modelled: [Int]
    private let lock = NSLock()
    /// Points of trials 0 ..< points.count (one coordinate per space entry, nil for fixed ones).
    private var points: [[Double?]] = []
    /// Observations of trials 0 ..< observations.count, built as their scores become needed.
    private var observations: [TPEObservation] = []

    init(space: [SpaceDimension], settings: TPESettings, seed: UInt64) {
        self.space = space
        self.settings = settings
        self.seed = seed
        modelled = space.indices.filter { if case .fixed = space[$0].entry { false } else { true } }
        // The sampler models once `startup` results are in (trial startup + lag); before, it draws from its prior.
        sampler = TPESampler(dimensions: modelled.map { Self.dimension(space[$0].entry) },
                             settings: TPESampler.Settings(startupTrials: settings.startup,
                                                           multivariate: settings.multivariate))
    }

    /// Trial n's point, or nil while the score of a trial it learns from is missing.
    func point(_ n: Int, scores: Scores) -> [Double?]? {
        lock.lock()
        defer { lock.unlock() }
        while points.count <= n {
            let k = points.count
            guard let point = compute(k, scores: scores) else { return nil }
            points.append(point)
        }
        return points[n]
    }


    /// Computes trial k's point, all points below k being known.
    private func compute(_ k: Int, scores: Scores) -> [Double?]? {
        if k < settings.startup { return TrialPlan.randomPoint(space, seed: seed, number: k) }
        let needed = max(0, k - settings.lag)
        while observations.count < needed {
            let j = observations.count
            guard let score = scores(j) else { return nil }
            observations.append(TPEObservation(point: modelled.map { points[j][$0] ?? 0 }, score: score))
        }
        let pending = (needed..<k).map { j in modelled.map { points[j][$0] ?? 0 } }
        var random = Random(seed: seed, stream: UInt64(k), 4)
        let suggested = sampler.suggest(Array(observations[..<needed]), pending: pending, random: &random)
        var point = [Double?](repeating: nil, count: space.count)
        for (i, index) in modelled.enumerated() { point[index] = suggested[i] }
        return point
    }

    /// How the sampler sees an entry: a choice by its index, a range as itself.
    private static func dimension(_ entry: SpaceEntry) -> TPEDimension {
        switch entry {
        case .fixed, .choices: .categorical(count: max(1, entry.gridValues.count))
        case .uniform(let a, let b): .real(low: a, high: b, log: false)
        case .logUniform(let a, let b): .real(low: a, high: b, log: true)
        case .intUniform(let a, let b): .integer(low: a, high: b)
        }
    }
}
