import Foundation
import NNSearchKernel

/// One trial of a search: what to train and how it appears in the results CSV.
package struct Trial: Sendable, Equatable {
    /// 0-based position in the plan.
    package var number: Int
    package var hyperparameters: Hyperparameters
    /// The seed for the trial's initialization, shuffling and dropout.
    package var seed: UInt64
    /// The CSV text of each space dimension, in space order (`TrialPlan.columns`).
    package var values: [String]
}

/// The numbered trials of a search; each depends only on the spec and its number.
///
/// Grid: trial k is the k-th combination of the space's values, last key varying fastest
/// (like `itertools.product`), capped at `trials`. Random: trial n draws each dimension in
/// space order from `Random(seed: spec.seed, stream: n, 1)` (fixed entries draw nothing).
/// TPE: trial n is a point of `TPESuggestions`, known once the results it learns from are in.
/// Every way the training seed is the first word of `Random(seed: spec.seed, stream: n, 2)`.
package struct TrialPlan: Sendable {
    /// The space dimension names, in order: the hyperparameter columns of the results.
    package let columns: [String]
    /// How many trials the search runs.
    package let count: Int
    private let space: [SpaceDimension]
    private let strategy: Strategy
    private let seed: UInt64
    private let suggestions: TPESuggestions?

    package init(spec: SearchSpec) {
        space = spec.space
        strategy = spec.strategy
        seed = spec.seed
        columns = spec.space.map(\.name)
        suggestions = spec.strategy == .tpe
            ? TPESuggestions(space: spec.space, settings: spec.tpe ?? TPESettings(startup: TPESettings.defaultStartup,
                                                                                   lag: TPESettings.defaultLag), seed: spec.seed)
            : nil
        switch spec.strategy {
        case .grid:
            var size = 1
            for dimension in spec.space {
                let (product, overflow) = size.multipliedReportingOverflow(by: max(dimension.entry.gridValues.count, 1))
                size = overflow ? Int.max : product
            }
            count = min(size, spec.trials ?? size)
        case .random, .tpe:
            count = spec.trials ?? 0
        }
    }

    /// Whether trials depend on the results of earlier ones (TPE).
    package var learns: Bool { suggestions != nil }

    /// Trial n, or nil when it is a TPE trial whose earlier results are not all in yet; `scores`
    /// gives a finished trial's score, larger better (−∞ for a diverged one), nil for an unfinished one.
    package func trial(_ number: Int, scores: (Int) -> Double?) -> Trial? {
        guard let suggestions else { return trial(number) }
        return suggestions.point(number, scores: scores).map { make(number, hyperparameters($0)) }
    }


    /// Trial `number` (0 ..< count) of a grid or random plan, computed in O(dimensions) without
    /// enumerating the others. A TPE plan's trials need scores: `trial(_:scores:)`.
    package func trial(_ number: Int) -> Trial {
        precondition(number >= 0, "trial numbers start at 0")
        switch strategy {
        case .grid:
            var hyperparameters = Hyperparameters()
            for (dimension, value) in zip(space, gridValues(number)) {
                if let value { dimension.parameter.set(value, in: &hyperparameters) }
            }
            return make(number, hyperparameters)
        case .random:
            return make(number, hyperparameters(Self.randomPoint(space, seed: seed, number: number)))
        case .tpe:
            guard let trial = trial(number, scores: { _ in nil }) else {
                preconditionFailure("TPE trial \(number) needs the scores of earlier trials: use trial(_:scores:)")
            }
            return trial
        }
    }

    /// The hyperparameters at an encoded point of the space (`SpacePoint`), fixed entries included.
    func hyperparameters(_ point: [Double?]) -> Hyperparameters {
        var hyperparameters = Hyperparameters()
        for (dimension, coordinate) in zip(space, point) {
            if let value = SpacePoint.value(dimension.entry, coordinate) { dimension.parameter.set(value, in: &hyperparameters) }
        }
        return hyperparameters
    }

    /// The trial with these hyperparameters and trial n's training seed.
    private func make(_ number: Int, _ hyperparameters: Hyperparameters) -> Trial {
        var trainingRandom = Random(seed: seed, stream: UInt64(number), 2)
        return Trial(
            number: number, hyperparameters: hyperparameters, seed: trainingRandom.next(),
            values: space.map { $0.parameter.value(in: hyperparameters).csvText })
    }

    /// The grid values of combination `number`, by mixed-radix decoding with the last dimension as the lowest digit.
    private func gridValues(_ number: Int) -> [HyperparameterValue?] {
        var rest = number
        var chosen = [HyperparameterValue?](repeating: nil, count: space.count)
        for i in space.indices.reversed() {
            let values = space[i].entry.gridValues
            guard !values.isEmpty else { continue }
            chosen[i] = values[rest % values.count]
            rest /= values.count
        }
        return chosen
    }

    /// Random search's point for trial n: each entry in space order drawn from `Random(seed, stream: n, 1)`.
    static func randomPoint(_ space: [SpaceDimension], seed: UInt64, number: Int) -> [Double?] {
        var random = Random(seed: seed, stream: UInt64(number), 1)
        return space.map { SpacePoint.draw($0.entry, &random) }
    }
}
