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
    /// Random draws for the first trials, then suggestions of a Tree-structured Parzen Estimator
    /// fitted on the results of earlier trials (`TPESettings`).
    case tpe
}

/// The TPE strategy's settings: `"startup"` and `"lag"` in the spec.
package struct TPESettings: Sendable, Equatable {
    /// Trials below this number are random draws, as random search makes them.
    package var startup: Int
    /// Trial n learns from the results of trials below n − lag only, so its suggestion never
    /// depends on which of the latest trials happened to finish first.
    package var lag: Int
    /// One joint estimator over all searched hyperparameters (multivariate TPE) rather than one
    /// per hyperparameter; `"multivariate": false` models them independently.
    package var multivariate = true

    package static let defaultStartup = 10
    package static let defaultLag = 8
}

/// Where the rows come from.
package enum DataSource: Sendable, Equatable {
    /// A built-in generator: `sum_bin`, `sum_mod` or `heart_rate`.
    case generator(name: String, rows: Int, seed: UInt64)
    /// A CSV file: `path` is resolved and absolute, `written` is as in the spec; `columns` names the
    /// target and chooses the features.
    case csv(path: String, written: String, columns: CSVColumns)

    /// The built-in generator names.
    static let generatorNames = ["sum_bin", "sum_mod", "heart_rate"]
}

/// What one space key says about its hyperparameter: typed values, validated once at load.
enum SpaceEntry: Sendable, Equatable {
    /// One value for every trial.
    case fixed(HyperparameterValue)
    /// A non-empty list of distinct values.
    case choices([HyperparameterValue])
    /// A real number drawn uniformly from [low, high).
    case uniform(Double, Double)
    /// A positive real whose logarithm is drawn uniformly.
    case logUniform(Double, Double)
    /// An integer drawn uniformly from low...high.
    case intUniform(Int, Int)

    /// Whether the entry is a continuous or integer range (grid search cannot enumerate it).
    var isRange: Bool {
        switch self {
        case .fixed, .choices: false
        case .uniform, .logUniform, .intUniform: true
        }
    }

    /// The values a grid takes from this entry: the list, or the fixed value alone; empty for ranges.
    var gridValues: [HyperparameterValue] {
        switch self {
        case .fixed(let value): [value]
        case .choices(let values): values
        case .uniform, .logUniform, .intUniform: []
        }
    }

    /// The entry as a spec writes it.
    var json: JSONValue {
        func range(_ kind: String, _ a: Double, _ b: Double) -> JSONValue {
            .object([JSONMember(key: kind, value: .array([HyperparameterValue.real(a).json, HyperparameterValue.real(b).json]))])
        }
        switch self {
        case .fixed(let value): return value.json
        case .choices(let values): return .array(values.map(\.json))
        case .uniform(let a, let b): return range("uniform", a, b)
        case .logUniform(let a, let b): return range("log_uniform", a, b)
        case .intUniform(let a, let b): return range("int_uniform", Double(a), Double(b))
        }
    }

    /// The entry as a spec would write it, for messages.
    var jsonText: String { json.jsonText }
}

/// One key of the spec's `space`.
package struct SpaceDimension: Sendable, Equatable {
    package let parameter: Hyperparameter
    var entry: SpaceEntry

    /// The hyperparameter's name: the CSV column.
    package var name: String { parameter.name }

    package static func == (a: SpaceDimension, b: SpaceDimension) -> Bool {
        a.parameter.name == b.parameter.name && a.entry == b.entry
    }
}

/// A validated search spec (`searches/NAME.json`); see `SpecLoader.swift` for the format.
package struct SearchSpec: Sendable {
    var version: Int
    package var name: String
    package var data: DataSource
    /// A held-out fraction of the rows, in (0, 0.9], or k-fold cross-validation.
    package var validation: Validation
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
    /// The TPE strategy's settings (nil unless the strategy is `tpe`).
    package var tpe: TPESettings? = nil
    /// `keep_models`: how many of the best trials keep their model in `models/`; nil for the default.
    package var keepModels: Int? = nil

    /// The best trials whose models are kept when `keep_models` is not given.
    package static let defaultKeepModels = 5

    /// How many of the best trials keep their model: `keep_models`, else 5; none with cross-validation,
    /// whose trials train one model per fold (`nnsearch export --refit` trains the trial's model there).
    package var modelsToKeep: Int {
        validation.crossValidation != nil ? 0 : keepModels ?? Self.defaultKeepModels
    }
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
        func count(_ value: HyperparameterValue) -> Int {
            if case .integer(let n) = value { return n }
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
