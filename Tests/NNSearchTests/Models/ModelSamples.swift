import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Small trained models for the model tests: a trial trained for a few epochs on generated data,
/// or on a messy CSV file (categories, missing cells).
enum ModelSamples {
    struct Trained {
        var model: SavedModel
        var runner: TrialRunner
        /// The raw (unstandardized) encoded validation rows and their classes.
        var validation: Dataset
        /// How the rows were encoded (learned from the training rows).
        var encoding: FeatureEncoding
    }

    /// Trains `hyperparameters` on sum_mod (3 classes) or heart_rate (2) and saves the result.
    static func trained(_ generator: DataGenerator = .sumMod, _ configure: (inout Hyperparameters) -> Void = { _ in }) throws -> Trained {
        try trained(FeatureTable(generator.generate(rows: 600, seed: 5)), configure)
    }

    /// Trains `hyperparameters` on `table` (split 3:1, seed 5) and saves the result, with `missingTexts`.
    static func trained(_ table: FeatureTable, missingTexts: [String] = [], _ configure: (inout Hyperparameters) -> Void = { _ in }) throws -> Trained {
        var h = Hyperparameters()
        h.depth = 2
        h.width = 12
        h.epochs = 3
        h.batchSize = 16
        configure(&h)
        let split = try DataSplit(table, validationFraction: 0.25, seed: 5)
        let statistics = split.standardization()
        let laid = h.normalize == .standardize ? split.standardized() : split
        let runner = TrialRunner(hyperparameters: h, seed: 42, data: TrainingData(train: laid.train, validation: laid.validation))
        _ = runner.run()
        let target: SavedModel.Target
        if case .classes(_, let names) = table.targets { target = .classes(column: "class", labels: names) } else { target = .value(column: "y", scale: nil) }
        let context = ModelStore.Context(search: "sample", metric: target.lossKind == .meanSquaredError ? .valR2 : .valAccuracy,
                                         encoding: split.encoding, missingTexts: missingTexts, standardization: statistics, target: target)
        let trial = Trial(number: 3, hyperparameters: h, seed: 42, values: [])
        let last = runner.records.last!
        let model = ModelStore.model(context, trial: trial, runner: runner, metricValue: last.valMetric,
                                     figures: [last.trainLoss, last.valLoss, last.trainMetric, last.valMetric], refit: false)
        return Trained(model: model, runner: runner, validation: split.validation, encoding: split.encoding)
    }

    /// The classes of a dataset's rows.
    static func labels(_ data: Dataset) -> [Int] {
        if case .classes(let labels, _) = data.targets { return labels.map(Int.init) }
        return []
    }

    // MARK: - A messy CSV

    /// A seeded CSV as real files come: `id` (to ignore), `age` (numeric; empty, `NA` or `?` on about
    /// 15% of rows), `fare` (numeric, never missing), `sex` (`F`/`M`, never missing), `port` (`C`/`Q`/`S`,
    /// some quoted with spaces, missing as empty or `?` on about 20%), `deck` (`A`/`B`/`C`/`7`: a
    /// categorical column with a number among its categories, from the first rows, missing as `null`
    /// sometimes), and the target `survived` (`yes`/`no`, by a rule on them, some flipped) or `y` (a real value).
    static func messyCSV(rows: Int = 400, regression: Bool = false) -> String {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var text = "id,age,fare,sex,port,deck," + (regression ? "y" : "survived") + "\n"
        for i in 0..<rows {
            let age = uniform() * 70 + 1, fare = uniform() * 90 + 5
            let female = uniform() < 0.45
            let port = ["C", "Q", "S"][Int(uniform() * 3)]
            let deck = i == 0 ? "7" : ["A", "B", "C", "7"][Int(uniform() * 4)]
            let r = uniform()
            let ageText = r < 0.08 ? "" : r < 0.12 ? "NA" : r < 0.15 ? "?" : String(format: "%.1f", age)
            let p = uniform()
            let portText = p < 0.1 ? "" : p < 0.2 ? "?" : p < 0.3 ? "\" \(port) \"" : port
            let deckText = uniform() < 0.1 ? "null" : deck
            let score = (female ? 1.2 : 0) + (r < 0.15 ? 0.3 : (70 - age) / 70) + fare / 200 + (deck == "7" ? 0.4 : 0) + (port == "C" ? 0.3 : 0)
            let target = regression
                ? String(format: "%.4f", 100 * score + 10 * uniform())
                : (score + (uniform() < 0.05 ? 2 : 0) > 1.3 ? "yes" : "no")
            text += "\(i + 1),\(ageText),\(String(format: "%.2f", fare)),\(female ? "F" : "M"),\(portText),\(deckText),\(target)\n"
        }
        return text
    }

    /// The messy CSV's columns: `id` ignored, `?` missing.
    static let messyColumns = CSVColumns(target: "survived", ignore: ["id"], missing: ["?"])

    /// `text` loaded as the search loads its file (written to a temporary file).
    static func table(_ text: String, _ columns: CSVColumns = messyColumns, classification: Bool? = nil) throws -> FeatureTable {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nnsearch-model-sample-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try loadCSVTable(path: path, columns: columns, classification: classification)
    }
}
