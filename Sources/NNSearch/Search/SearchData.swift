import Foundation
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
        // The whole dataset is gone once split: memory holds the split and its standardized copy.
        let (split, targets) = try Self.split(spec)
        switch targets {
        case .classes(_, let names): task = .classification; classNames = names
        case .values: task = .regression; classNames = []
        }
        raw = TrainingData(train: split.train, validation: split.validation)
        let scaled = split.standardized()
        standardized = TrainingData(train: scaled.train, validation: scaled.validation)
    }

    /// The spec's rows, split; and the whole dataset's targets (their kind and class names).
    private static func split(_ spec: SearchSpec) throws -> (DataSplit, Dataset.Targets) {
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
        do {
            let split = try DataSplit(dataset, validationFraction: spec.validation, seed: Self.splitSeed(spec))
            switch dataset.targets {
            case .classes(_, let names): return (split, .classes(labels: [], names: names))
            case .values: return (split, .values([]))
            }
        } catch let error as NNSearchError {
            throw NNSearchError(error.kind, "\(spec.dataDescription): \(error.message)")
        }
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
    /// The size of the spec's CSV file in bytes; nil for a generator or a file that is not there.
    package var dataFileSize: Int? {
        guard case .csv(let path, _, _) = data,
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber else { return nil }
        return size.intValue
    }

    /// The spec's data as messages name it: `s.json: data (generator sum_bin, 2 rows)`, `s.json: data.csv "x.csv"`.
    package var dataDescription: String {
        let where_ = file.isEmpty ? "" : "\(file): "
        switch data {
        case .generator(let name, let rows, _): return where_ + "data (generator \(name), \(counted(rows, "row")))"
        case .csv(_, let written, _): return where_ + "data.csv \(JSONValue.echo(written))"
        }
    }

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
