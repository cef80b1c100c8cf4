/// A training and a validation set laid out for the kernel, shared read-only by every worker.
struct TrainingData: Sendable {
    let featureCount: Int
    let lossKind: LossKind
    let train: Part
    let validation: Part

    /// One side of the split: row-major features with class labels or regression targets.
    struct Part: Sendable {
        let rows: Int
        let features: [Float]
        /// Class index per row (empty for regression).
        let labels: [Int32]
        /// Target per row (empty for classification).
        let values: [Float]
        /// Σ (value - mean)², the denominator of R² (0 for classification), computed once.
        let totalSumOfSquares: Double

        init(_ data: Dataset) {
            rows = data.rowCount
            features = data.features
            switch data.targets {
            case .classes(let l, _): labels = l; values = []
            case .values(let v): labels = []; values = v
            }
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(max(values.count, 1))
            totalSumOfSquares = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
        }
    }

    init(train: Dataset, validation: Dataset) {
        featureCount = train.featureCount
        switch train.targets {
        case .classes(_, let names):
            lossKind = names.count == 2 ? .binaryCrossEntropy : .softmaxCrossEntropy(classes: names.count)
        case .values:
            lossKind = .meanSquaredError
        }
        self.train = Part(train)
        self.validation = Part(validation)
    }

    var isClassification: Bool { lossKind != .meanSquaredError }
}
