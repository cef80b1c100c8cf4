import Foundation
import NNSearchKernel

/// A search's data, loaded, split and laid out once, then shared read-only by every trial.
///
/// With a validation fraction: one split, raw and standardized. With cross-validation: the rows
/// and their `FoldPlan`; a round's data (its training part and its fold, standardized with the
/// statistics of that training part alone) is laid out when a trial starts the round, so memory
/// stays one copy of the data per trial in flight, whatever K × R is. Regression targets are
/// standardized with the training part's statistics (`TrainingData.standardizingTargets`).
package struct SearchData: Sendable {
    package let task: TaskKind
    /// Class names (classification) in label order.
    package let classNames: [String]
    /// How the columns become inputs, learned from the training split; nil with cross-validation,
    /// where each round learns its own from its training rows.
    package let encoding: FeatureEncoding?
    /// What was done with the columns (one-hot, missing cells, left out), for `start` and `spec.json`.
    package let preparation: DataPreparation
    /// The training split's statistics, with a validation fraction (what `standardize` trials see);
    /// nil with cross-validation, where each round has its own.
    package let standardization: Standardization?
    private let layout: Layout
    /// What a model that learned nothing scores, in the target's own units (the same for both
    /// normalizations). With cross-validation: each figure the mean over every round of that round's chance
    /// level (so it is on the scale of a trial's mean curve, which the diagnosis compares it with),
    /// and the validation rows are all the rows (a trial's mean accuracy is measured on each once per repeat).
    package let chance: ChanceLevel

    private enum Layout: Sendable {
        /// One split; the second copy standardized with training-split statistics.
        case holdout(raw: TrainingData, standardized: TrainingData)
        case folds(FeatureTable, FoldPlan)
    }

    /// Loads the spec's data (generator or CSV), and splits it or deals it into folds.
    package init(spec: SearchSpec) throws {
        let dataset = try Self.table(spec)
        var selection: CSVColumns? = nil
        if case .csv(_, _, let chosen) = spec.data { selection = chosen }
        preparation = DataPreparation(columns: dataset.columns, rows: dataset.rowCount, selection: selection)
        switch dataset.targets {
        case .classes(_, let names): task = .classification; classNames = names
        case .values: task = .regression; classNames = []
        }
        switch spec.validation {
        case .holdout(let fraction):
            let split: DataSplit
            do {
                split = try DataSplit(dataset, validationFraction: fraction, seed: Self.splitSeed(spec))
            } catch let error as NNSearchError {
                throw NNSearchError(error.kind, "\(spec.dataDescription): \(error.message)")
            }
            let raw = TrainingData(train: split.train, validation: split.validation).standardizingTargets()
            let statistics = split.standardization()
            var scaled = split
            statistics.apply(to: &scaled.train.features)
            statistics.apply(to: &scaled.validation.features)
            standardization = statistics
            encoding = split.encoding
            layout = .holdout(raw: raw, standardized: TrainingData(train: scaled.train, validation: scaled.validation)
                .standardizingTargets())
            chance = raw.chance
        case .folds(let cv):
            standardization = nil
            encoding = nil
            let n = dataset.rowCount
            guard n >= cv.folds else {
                throw NNSearchError.data("cross-validation: \(n) rows cannot make \(cv.folds) folds (each needs a row at least)")
            }
            let groups: [Int32]
            if case .classes(let labels, _) = dataset.targets { groups = labels } else { groups = [Int32](repeating: 0, count: n) }
            let plan = FoldPlan(groups: groups, folds: cv.folds, repeats: cv.repeats, seed: Self.splitSeed(spec))
            var levels = [ChanceLevel]()
            for round in 0..<plan.rounds {
                let split = try DataSplit(dataset, folds: plan, round: round)
                levels.append(TrainingData(train: split.train, validation: split.validation).chance)
            }
            layout = .folds(dataset, plan)
            chance = Self.mean(levels, validationRows: n)
        }
    }

    /// The spec's rows, loaded (generated, or read from its CSV file), in file order, encoded with
    /// what all of them say (a refit's data), with that encoding.
    static func allRows(_ spec: SearchSpec) throws -> (dataset: Dataset, encoding: FeatureEncoding) {
        let table = try table(spec)
        let rows = Array(0..<table.rowCount)
        let encoding = FeatureEncoding(learning: table, rows: rows)
        return (encoding.encode(table, rows: rows), encoding)
    }

    /// The spec's rows as read (generated, or from its CSV file), in file order.
    static func table(_ spec: SearchSpec) throws -> FeatureTable {
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
        case .csv(let path, _, let columns):
            return try loadCSVTable(path: path, columns: columns, classification: spec.task.map { $0 == .classification })
        }
        return FeatureTable(dataset)
    }

    /// The column a model predicts: the CSV file's target, `class` for a generator.
    static func targetName(_ spec: SearchSpec) -> String {
        if case .csv(_, _, let columns) = spec.data { return columns.target }
        return "class"
    }

    /// Models each trial trains: K × R with cross-validation, else 1.
    package var rounds: Int {
        if case .folds(_, let plan) = layout { return plan.rounds }
        return 1
    }

    /// The training data a trial with this normalization sees in `round` (batch norm works on raw
    /// inputs). A single split has the one round 0.
    package func data(for normalization: Normalization, round: Int = 0) -> TrainingData {
        switch layout {
        case .holdout(let raw, let standardized):
            precondition(round == 0, "a single split has one round")
            return normalization == .standardize ? standardized : raw
        case .folds(let dataset, let plan):
            // Validated at init: every round's training rows hold two classes or more.
            guard let split = try? DataSplit(dataset, folds: plan, round: round) else {
                preconditionFailure("round \(round) was checked when the data was loaded")
            }
            let laid = normalization == .standardize ? split.standardized() : split
            return TrainingData(train: laid.train, validation: laid.validation).standardizingTargets()
        }
    }

    /// Each figure of `levels` averaged (in round order).
    private static func mean(_ levels: [ChanceLevel], validationRows: Int) -> ChanceLevel {
        let n = Double(max(levels.count, 1))
        func average(_ figure: (ChanceLevel) -> Double) -> Double { levels.reduce(0.0) { $0 + figure($1) } / n }
        return ChanceLevel(trainLoss: average(\.trainLoss), valLoss: average(\.valLoss), trainMetric: average(\.trainMetric),
                           valMetric: average(\.valMetric), validationRows: validationRows)
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
