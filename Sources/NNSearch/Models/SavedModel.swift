import NNSearchKernel

/// One trained network with everything needed to use it: the columns it reads and how they are
/// prepared, what it predicts, its weights, and where it came from. What `models/trial-NNNN.json`,
/// `nnsearch export` and `nnsearch predict` read and write (the format: `SavedModel+JSON.swift`).
package struct SavedModel: Equatable, Sendable {
    /// The `format` field of every model file.
    package static let formatName = "nnsearch-model"
    /// The format version this build writes and the newest it reads.
    package static let formatVersion = 2

    /// Where the model comes from.
    package struct Origin: Equatable, Sendable {
        /// The search's name (the spec's `name`).
        package var search: String
        package var trial: Int
        /// The trial's training seed.
        package var seed: UInt64
        /// The metric the search ranks by, and this trial's value of it in the search.
        package var metric: Metric
        package var metricValue: Double
        /// The trial's last-epoch figures in the search, in `trials.csv` order:
        /// train_loss, val_loss, train_accuracy|train_r2, val_accuracy|val_r2.
        package var figures: [Double]
        /// Whether the weights are a refit on every row (`export --refit`) rather than the trial's own.
        package var refit: Bool
        /// Rows the weights were trained on.
        package var rows: Int
        /// Epochs the weights were trained for.
        package var epochs: Int
    }

    /// One hyperparameter of the trial, by its registry name.
    package struct Setting: Equatable, Sendable {
        package var name: String
        package var value: HyperparameterValue
    }

    /// One column the model reads from a CSV file and how it becomes inputs: a number (its fill for
    /// a missing cell, and whether a `NAME_missing` indicator input follows) or a category (one input
    /// per training category, then `NAME_missing` when the training rows had missing cells). The
    /// columns' inputs, in column order, are the network's inputs (`FeatureEncoding`).
    ///
    /// A fill of NaN means the model has none (a version 1 file, from before missing values): a
    /// missing cell in that column is refused.
    package typealias Column = FeatureEncoding.Column

    /// What the model predicts.
    package enum Target: Equatable, Sendable {
        /// Classes, by their original spelling in label order (class i is `labels[i]`).
        case classes(column: String, labels: [String])
        /// A real value; with a scale, the network's output is `output × std + mean`.
        case value(column: String, scale: TargetScale?)

        package var column: String {
            switch self {
            case .classes(let column, _), .value(let column, _): column
            }
        }

        /// The loss a network for this target trains with, which says what its outputs mean.
        package var lossKind: LossKind {
            switch self {
            case .classes(_, let labels): labels.count == 2 ? .binaryCrossEntropy : .softmaxCrossEntropy(classes: labels.count)
            case .value: .meanSquaredError
            }
        }
    }

    /// A regression target's standardization: the network predicts (y − mean) / std.
    package struct TargetScale: Equatable, Sendable {
        package var mean: Double
        package var std: Double
    }

    package var origin: Origin
    /// Every hyperparameter of the trial, in the registry's order.
    package var hyperparameters: [Setting]
    /// The CSV columns read, in order.
    package var columns: [Column]
    /// Cell texts read as missing besides `CSVColumns.standardMissing` (the spec's `data.missing`).
    package var missingTexts: [String]
    /// Applied to the encoded inputs (normalize = standardize); nil otherwise.
    package var standardization: Standardization?
    package var target: Target
    /// The network (with normalize = batchnorm, its batch-norm layer and running statistics).
    package var network: MLPWeights
    /// The dropout rate it trained with (inverted dropout: at inference it is the identity).
    package var dropout: Double

    /// How the columns become the network's inputs.
    package var encoding: FeatureEncoding { FeatureEncoding(columns: columns) }

    package var task: TaskKind {
        if case .classes = target { return .classification }
        return .regression
    }

    /// The loss the network was trained with, which says what its outputs mean.
    package var lossKind: LossKind { target.lossKind }

    /// The CSV header names of the figures, as `trials.csv` writes them.
    package var figureNames: [String] {
        task == .classification
            ? ["train_loss", "val_loss", "train_accuracy", "val_accuracy"]
            : ["train_loss", "val_loss", "train_r2", "val_r2"]
    }

    /// A sentence on what does not fit together (shapes, counts), or nil when the model can run.
    package var inconsistency: String? {
        if let problem = network.shapeProblem { return problem }
        if Set(columns.map(\.name)).count != columns.count { return "a column is listed twice" }
        let missingTexts = CSVColumns.standardMissing.union(self.missingTexts)
        for column in columns {
            switch column {
            case .number(let name, let fill, _):
                if fill.isInfinite { return "the fill value of \(JSONValue.quote(name)) is not finite" }
            case .category(let name, let categories, let missing):
                if categories.isEmpty && !missing { return "the categorical column \(JSONValue.quote(name)) makes no input" }
                if Set(categories).count != categories.count { return "a category of \(JSONValue.quote(name)) is listed twice" }
                if let text = categories.first(where: { ModelInput.Cell($0, missingTexts: missingTexts) == .missing }) {
                    return "the category \(JSONValue.quote(text)) of \(JSONValue.quote(name)) is a text read as missing"
                }
            }
        }
        let inputs = encoding.width
        if inputs != network.dims[0] {
            return "the columns make \(inputs) input\(inputs == 1 ? "" : "s") for a network of \(network.dims[0])"
        }
        if let s = standardization, s.mean.count != inputs || s.std.count != inputs {
            return "standardize has \(s.mean.count) means and \(s.std.count) deviations for \(inputs) inputs"
        }
        if let s = standardization, let bad = s.std.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            return "standardize: the deviation of input \(JSONValue.quote(encoding.inputNames[bad])) must be a positive number"
        }
        let outputs = network.dims[network.dims.count - 1]
        switch target {
        case .classes(_, let labels):
            if labels.count < 2 { return "a classifier needs at least 2 classes" }
            if Set(labels).count != labels.count { return "a class is listed twice" }
            if outputs != lossKind.outputs { return "\(labels.count) classes need \(lossKind.outputs) output\(lossKind.outputs == 1 ? "" : "s"), the network has \(outputs)" }
        case .value(_, let scale):
            if outputs != 1 { return "a regression network has 1 output, this one has \(outputs)" }
            if let scale, !(scale.std > 0) || !scale.std.isFinite || !scale.mean.isFinite { return "the target scale must be finite with std > 0" }
        }
        return nil
    }
}
