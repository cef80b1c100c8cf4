import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Small trained models for the model tests: a trial trained for a few epochs on generated data.
enum ModelSamples {
    struct Trained {
        var model: SavedModel
        var runner: TrialRunner
        /// The raw (unstandardized) validation rows and their classes.
        var validation: Dataset
    }

    /// Trains `hyperparameters` on sum_mod (3 classes) or heart_rate (2) and saves the result.
    static func trained(_ generator: DataGenerator = .sumMod, _ configure: (inout Hyperparameters) -> Void = { _ in }) throws -> Trained {
        var h = Hyperparameters()
        h.depth = 2
        h.width = 12
        h.epochs = 3
        h.batchSize = 16
        configure(&h)
        let data = generator.generate(rows: 600, seed: 5)
        let split = try DataSplit(data, validationFraction: 0.25, seed: 5)
        let statistics = split.standardization()
        let laid = h.normalize == .standardize ? split.standardized() : split
        let runner = TrialRunner(hyperparameters: h, seed: 42, data: TrainingData(train: laid.train, validation: laid.validation))
        _ = runner.run()
        let context = ModelStore.Context(search: "sample", metric: .valAccuracy, columns: data.featureNames.map(SavedModel.Column.init(name:)),
                                         standardization: statistics, target: .classes(column: "class", labels: generatorClasses(data)))
        let trial = Trial(number: 3, hyperparameters: h, seed: 42, values: [])
        let last = runner.records.last!
        let model = ModelStore.model(context, trial: trial, runner: runner, metricValue: last.valMetric,
                                     figures: [last.trainLoss, last.valLoss, last.trainMetric, last.valMetric], refit: false)
        return Trained(model: model, runner: runner, validation: split.validation)
    }

    private static func generatorClasses(_ data: Dataset) -> [String] {
        if case .classes(_, let names) = data.targets { return names }
        return []
    }

    /// The classes of a dataset's rows.
    static func labels(_ data: Dataset) -> [Int] {
        if case .classes(let labels, _) = data.targets { return labels.map(Int.init) }
        return []
    }
}
