import NNSearchKernel

/// What the model predicts: a class or a real value.
package enum TaskKind: String, CaseIterable, Sendable {
    case classification, regression
}

/// The validation number a search ranks trials by.
package enum Metric: String, CaseIterable, Sendable {
    case valAccuracy = "val_accuracy"
    case valLoss = "val_loss"
    case valR2 = "val_r2"

    /// Whether larger values are better.
    var maximize: Bool { self != .valLoss }

    /// The metric used when a spec names none: accuracy for classification, loss for regression.
    static func defaultMetric(for task: TaskKind) -> Metric {
        task == .classification ? .valAccuracy : .valLoss
    }

    /// Whether the metric can be computed for a task (`val_loss` applies to both).
    func applies(to task: TaskKind) -> Bool {
        switch self {
        case .valAccuracy: task == .classification
        case .valR2: task == .regression
        case .valLoss: true
        }
    }
}

/// How trials are chosen from the space.
enum Strategy: String, CaseIterable, Sendable {
    /// Every combination of the listed values, last space key varying fastest.
    case grid
    /// Independent seeded draws per trial.
    case random
}

/// Where the rows come from.
package enum DataSource: Sendable, Equatable {
    /// A built-in generator: `sum_bin`, `sum_mod` or `heart_rate`.
    case generator(name: String, rows: Int, seed: UInt64)
    /// A CSV file: `path` is resolved and absolute, `written` is as in the spec, `target` names a column.
    case csv(path: String, written: String, target: String)

    /// The built-in generator names.
    static let generatorNames = ["sum_bin", "sum_mod", "heart_rate"]
}

/// What one space key says about its hyperparameter.
enum SpaceEntry: Sendable, Equatable {
    /// One value for every trial (validated).
    case fixed(JSONValue)
    /// A non-empty list of values (each validated).
    case choices([JSONValue])
    /// A real number drawn uniformly from [low, high).
    case uniform(Double, Double)
    /// A positive real whose logarithm is drawn uniformly.
    case logUniform(Double, Double)
    /// An integer drawn uniformly from low...high.
    case intUniform(Int, Int)

    /// Whether the entry is a continuous or integer range (only random search can draw from it).
    var isRange: Bool {
        switch self {
        case .fixed, .choices: false
        case .uniform, .logUniform, .intUniform: true
        }
    }

    /// The values a grid takes from this entry: the list, or the fixed value alone; empty for ranges.
    var gridValues: [JSONValue] {
        switch self {
        case .fixed(let value): [value]
        case .choices(let values): values
        case .uniform, .logUniform, .intUniform: []
        }
    }

    /// The entry as it would be written in a spec, for messages.
    var jsonText: String {
        switch self {
        case .fixed(let value): value.jsonText
        case .choices(let values): JSONValue.array(values).jsonText
        case .uniform(let a, let b): "{\"uniform\": [\(formatNumber(a)), \(formatNumber(b))]}"
        case .logUniform(let a, let b): "{\"log_uniform\": [\(formatNumber(a)), \(formatNumber(b))]}"
        case .intUniform(let a, let b): "{\"int_uniform\": [\(a), \(b)]}"
        }
    }
}

/// One key of the spec's `space`.
package struct SpaceDimension: Sendable, Equatable {
    /// A name from `Hyperparameters.names`.
    package var name: String
    var entry: SpaceEntry
}

/// A validated search spec (`searches/NAME.json`); see `SpecLoader.swift` for the format.
package struct SearchSpec: Sendable {
    var version: Int
    package var name: String
    package var data: DataSource
    /// The fraction of rows held out for validation, in (0, 0.9].
    var validation: Double
    /// nil until known from the data (a CSV target may be either).
    var task: TaskKind?
    /// nil means the default for the task: `val_accuracy` for classification, `val_loss` for regression.
    var metric: Metric?
    var strategy: Strategy
    /// Required for random search; for grid, a cap on the number of combinations run.
    var trials: Int?
    package var seed: UInt64
    /// nil means one per core.
    package var workers: Int?
    package var maxSeconds: Double?
    /// In the order written, which is the order of the CSV columns.
    package var space: [SpaceDimension]
    /// The spec as written.
    package var source: JSONValue
    /// Early stopping at rungs; nil trains every trial to its epochs.
    package var pruning: Pruning? = nil
    /// The most memory the search may plan for, in bytes (`"max_memory"`); nil: what the machine has available.
    package var maxMemory: Int? = nil
    /// The file it was read from, for messages ("" when parsed from text).
    package var file = ""

    /// The metric in force once the task is known.
    func metric(for task: TaskKind) -> Metric { metric ?? Metric.defaultMetric(for: task) }

    /// The fewest and the most epochs a trial of this space can have.
    package var epochsBounds: (min: Int, max: Int) {
        SearchSpec.epochsBounds(space)
    }

    /// The fewest and the most epochs a trial of `space` can have (validated entries).
    static func epochsBounds(_ space: [SpaceDimension]) -> (min: Int, max: Int) {
        let fallback = Hyperparameters().epochs
        guard let entry = space.first(where: { $0.name == "epochs" })?.entry else { return (fallback, fallback) }
        func count(_ value: JSONValue) -> Int {
            if case .number(let x, _) = value, x.rounded() == x, x >= 1, x <= 1e9 { return Int(x) }
            return fallback
        }
        switch entry {
        case .fixed(let value): return (count(value), count(value))
        case .choices(let values):
            let counts = values.map(count)
            return (counts.min() ?? fallback, counts.max() ?? fallback)
        case .intUniform(let low, let high): return (low, high)
        case .uniform, .logUniform: return (fallback, fallback)   // the loader refuses these for epochs
        }
    }
}
