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
/// Either way the training seed is the first word of `Random(seed: spec.seed, stream: n, 2)`.
package struct TrialPlan: Sendable {
    /// The space dimension names, in order: the hyperparameter columns of the results.
    package let columns: [String]
    /// How many trials the search runs.
    package let count: Int
    private let space: [SpaceDimension]
    private let strategy: Strategy
    private let seed: UInt64

    package init(spec: SearchSpec) {
        space = spec.space
        strategy = spec.strategy
        seed = spec.seed
        columns = spec.space.map(\.name)
        switch spec.strategy {
        case .grid:
            var size = 1
            for dimension in spec.space {
                let (product, overflow) = size.multipliedReportingOverflow(by: max(dimension.entry.gridValues.count, 1))
                size = overflow ? Int.max : product
            }
            count = min(size, spec.trials ?? size)
        case .random:
            count = spec.trials ?? 0
        }
    }

    /// Trial `number` (0 ..< count), computed in O(dimensions) without enumerating the others.
    package func trial(_ number: Int) -> Trial {
        precondition(number >= 0, "trial numbers start at 0")
        var hyperparameters = Hyperparameters()
        switch strategy {
        case .grid:
            for (dimension, value) in zip(space, gridValues(number)) {
                if let value { Self.apply(value, to: dimension.name, in: &hyperparameters) }
            }
        case .random:
            var random = Random(seed: seed, stream: UInt64(number), 1)
            for dimension in space {
                if let value = Self.draw(dimension.entry, &random) {
                    Self.apply(value, to: dimension.name, in: &hyperparameters)
                }
            }
        }
        var trainingRandom = Random(seed: seed, stream: UInt64(number), 2)
        return Trial(
            number: number, hyperparameters: hyperparameters, seed: trainingRandom.next(),
            values: columns.map { hyperparameters.csvValue(of: $0) })
    }

    /// The grid values of combination `number`, by mixed-radix decoding with the last dimension as the lowest digit.
    private func gridValues(_ number: Int) -> [JSONValue?] {
        var rest = number
        var chosen = [JSONValue?](repeating: nil, count: space.count)
        for i in space.indices.reversed() {
            let values = space[i].entry.gridValues
            guard !values.isEmpty else { continue }
            chosen[i] = values[rest % values.count]
            rest /= values.count
        }
        return chosen
    }

    /// One random value for an entry; a fixed entry draws nothing (nil only for an empty entry the loader rejects).
    private static func draw(_ entry: SpaceEntry, _ random: inout Random) -> JSONValue? {
        switch entry {
        case .fixed(let value):
            return value
        case .choices(let values):
            return values.isEmpty ? nil : values[random.next(below: values.count)]
        case .uniform(let a, let b):
            return number(min(max(a + (b - a) * random.nextDouble(), a), b))
        case .logUniform(let a, let b):
            let x = exp(log(a) + (log(b) - log(a)) * random.nextDouble())
            return number(min(max(x, a), b))
        case .intUniform(let a, let b):
            guard a <= b else { return nil }
            return number(Double(a + random.next(below: b - a + 1)))
        }
    }

    private static func number(_ x: Double) -> JSONValue { .number(x, text: formatNumber(x)) }

    /// Sets a value the loader already validated.
    private static func apply(_ value: JSONValue, to name: String, in hyperparameters: inout Hyperparameters) {
        do {
            try hyperparameters.set(name, value, path: "space.\(name)")
        } catch {
            assertionFailure("unvalidated space value: \(error)")
        }
    }
}
