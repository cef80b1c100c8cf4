import NNSearchKernel

/// A search's data, loaded, split and laid out once, then shared read-only by every trial.
package struct SearchData: Sendable {
    package let task: TaskKind
    /// Class names (classification) in label order.
    let classNames: [String]
    let raw: TrainingData
    /// The same split standardized with training-split statistics.
    let standardized: TrainingData

    /// Loads the spec's data (generator or CSV), splits it, and prepares both normalizations.
    package init(spec: SearchSpec) throws {
        let dataset: Dataset
        switch spec.data {
        case .generator(let name, let rows, let seed):
            guard let generator = DataGenerator(rawValue: name) else {
                throw NNSearchError.usage("data.generator: unknown generator \"\(name)\"")
            }
            if spec.task == .regression {
                throw NNSearchError.usage("task: the \(name) generator makes a classification problem, not regression")
            }
            dataset = generator.generate(rows: rows, seed: seed)
        case .csv(let path, _, let target):
            dataset = try loadCSVDataset(path: path, target: target, classification: spec.task.map { $0 == .classification })
        }
        let split = try DataSplit(dataset, validationFraction: spec.validation, seed: Self.splitSeed(spec))
        switch dataset.targets {
        case .classes(_, let names): task = .classification; classNames = names
        case .values: task = .regression; classNames = []
        }
        raw = TrainingData(train: split.train, validation: split.validation)
        let scaled = split.standardized()
        standardized = TrainingData(train: scaled.train, validation: scaled.validation)
    }

    /// What a model that learned nothing scores (the same for both normalizations: targets are not scaled).
    package var chance: ChanceLevel { raw.chance }

    /// The training data a trial with this normalization sees (batch norm works on raw inputs).
    package func data(for normalization: Normalization) -> TrainingData {
        normalization == .standardize ? standardized : raw
    }

    /// The split's seed: the data seed for generators (so the split follows the data), 0 for files.
    static func splitSeed(_ spec: SearchSpec) -> UInt64 {
        if case .generator(_, _, let seed) = spec.data { return seed }
        return 0
    }
}

extension SearchSpec {
    /// The metric in force once the task is known, or a usage error if it does not fit the task.
    package func resolvedMetric(for task: TaskKind) throws -> Metric {
        guard let metric else { return Metric.defaultMetric(for: task) }
        guard metric.applies(to: task) else {
            throw NNSearchError.usage("metric: \(metric.rawValue) does not apply to \(task.rawValue); use "
                + Metric.allCases.filter { $0.applies(to: task) }.map(\.rawValue).joined(separator: " or "))
        }
        return metric
    }
}
