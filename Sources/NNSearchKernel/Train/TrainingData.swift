/// A training and a validation set laid out for the kernel, shared read-only by every worker.
package struct TrainingData: Sendable {
    package let featureCount: Int
    let lossKind: LossKind
    package let train: Part
    package let validation: Part

    /// One side of the split: row-major features with class labels or regression targets.
    package struct Part: Sendable {
        package let rows: Int
        let features: [Float]
        /// Class index per row (empty for regression).
        let labels: [Int32]
        /// Target per row (empty for classification).
        let values: [Float]
        /// Σ (value - mean)², the denominator of R² (0 for classification), computed once.
        let totalSumOfSquares: Double

        /// `rows` rows of `features` (row-major) with either `labels` or `values` (the other empty).
        package init(rows: Int, features: [Float], labels: [Int32], values: [Float]) {
            self.rows = rows
            self.features = features
            self.labels = labels
            self.values = values
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(max(values.count, 1))
            totalSumOfSquares = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
        }
    }

    /// What a model that learned nothing from the features scores (see `ChanceLevel`).
    package private(set) var chance: ChanceLevel

    /// Regression: the model learns (target − `targetMean`) / `targetStd`, with both from the
    /// training part (`standardizingTargets`); losses are reported × `targetStd`², in the target's
    /// own units, and a prediction is `targetMean + targetStd × output`. 0 and 1 otherwise.
    package private(set) var targetMean = 0.0
    package private(set) var targetStd = 1.0

    package init(featureCount: Int, lossKind: LossKind, train: Part, validation: Part) {
        self.featureCount = featureCount
        self.lossKind = lossKind
        self.train = train
        self.validation = validation
        chance = ChanceLevel(lossKind: lossKind, train: train, validation: validation)
    }

    /// For regression, the same data with targets standardized by the training part's mean and
    /// population standard deviation (1 when the targets are constant), so a target in the
    /// thousands trains like one near 1; the chance level stays the one of the targets as given.
    /// Classification data is returned as it is.
    package func standardizingTargets() -> TrainingData {
        guard !isClassification, train.rows > 0 else { return self }
        let n = Double(train.rows)
        let mean = train.values.reduce(0.0) { $0 + Double($1) } / n
        let variance = train.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        let std = variance > 0 ? variance.squareRoot() : 1
        func scaled(_ part: Part) -> Part {
            Part(rows: part.rows, features: part.features, labels: [],
                 values: part.values.map { Float((Double($0) - mean) / std) })
        }
        var data = TrainingData(featureCount: featureCount, lossKind: lossKind, train: scaled(train), validation: scaled(validation))
        data.chance = chance
        data.targetMean = mean
        data.targetStd = std
        return data
    }

    var isClassification: Bool { lossKind != .meanSquaredError }

    /// The network's outputs: one per class for three or more, else one.
    package var outputs: Int { lossKind.outputs }
}
