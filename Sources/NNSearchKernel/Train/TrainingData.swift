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
    package let chance: ChanceLevel

    package init(featureCount: Int, lossKind: LossKind, train: Part, validation: Part) {
        self.featureCount = featureCount
        self.lossKind = lossKind
        self.train = train
        self.validation = validation
        chance = ChanceLevel(lossKind: lossKind, train: train, validation: validation)
    }

    var isClassification: Bool { lossKind != .meanSquaredError }

    /// The network's outputs: one per class for three or more, else one.
    package var outputs: Int { lossKind.outputs }
}
