import NNSearchKernel

/// A dataset divided into training and validation rows by a seeded permutation.
struct DataSplit: Sendable {
    /// The rows the model learns from; the only source of standardization statistics.
    var train: Dataset
    /// The held-out rows a trial is scored on.
    var validation: Dataset

    /// Shuffles rows with `Random(seed: seed, stream: 1)`; the first `⌊n × (1 − validationFraction)⌋` train,
    /// the rest validate (as `anchors/seeds.py` splits).
    ///
    /// Throws a data error when either part would be empty or the training rows hold a single class.
    init(_ data: Dataset, validationFraction: Double, seed: UInt64) throws {
        guard validationFraction.isFinite, (0...1).contains(validationFraction) else {
            throw NNSearchError.usage("validation fraction must be between 0 and 1, not \(validationFraction)")
        }
        let n = data.rowCount
        var random = Random(seed: seed, stream: 1)
        let order = random.permutation(n)
        let trainCount = Int(Double(n) * (1 - validationFraction))
        let fraction = "\"validation\": \(formatNumber(validationFraction))"
        guard trainCount > 0, trainCount < n else {
            let part = trainCount > 0 ? "validation" : "training"
            throw NNSearchError.data("the \(part) split would be empty: \(counted(n, "row")) with \(fraction)"
                + " leave\(n == 1 ? "s" : "") none for \(part); use more rows"
                + (trainCount > 0 ? " or a larger \"validation\"" : " or a smaller \"validation\""))
        }
        train = data.subset(Array(order[..<trainCount]))
        validation = data.subset(Array(order[trainCount...]))
        if case .classes(let labels, let names) = train.targets, let first = labels.first,
           labels.allSatisfy({ $0 == first }) {
            throw NNSearchError.data(
                "the training split (\(counted(trainCount, "row")) of \(n), \(fraction)) has a single class"
                + " \(JSONValue.echo(names[Int(first)])); classification needs at least 2: use more rows")
        }
    }

    /// A split made elsewhere (e.g. restored from a checkpoint).
    init(train: Dataset, validation: Dataset) {
        self.train = train
        self.validation = validation
    }

    /// Per-feature mean and population standard deviation of the training rows, in Double.
    func featureStatistics() -> (mean: [Double], std: [Double]) {
        let count = train.featureCount, rows = train.rowCount
        var mean = [Double](repeating: 0, count: count)
        var variance = [Double](repeating: 0, count: count)
        guard rows > 0 else { return (mean, [Double](repeating: 1, count: count)) }
        for r in 0..<rows {
            for c in 0..<count { mean[c] += Double(train.features[r * count + c]) }
        }
        for c in 0..<count { mean[c] /= Double(rows) }
        for r in 0..<rows {
            for c in 0..<count {
                let d = Double(train.features[r * count + c]) - mean[c]
                variance[c] += d * d
            }
        }
        return (mean, variance.map { ($0 / Double(rows)).squareRoot() })
    }

    /// Both splits as `(x − mean) / std` with the training statistics (a constant feature divides by 1).
    func standardized() -> DataSplit {
        let (mean, std) = featureStatistics()
        let scale = std.map { $0 > 0 ? 1 / $0 : 1 }
        func apply(_ data: Dataset) -> Dataset {
            var data = data
            let count = data.featureCount
            for i in data.features.indices {
                let c = i % count
                data.features[i] = Float((Double(data.features[i]) - mean[c]) * scale[c])
            }
            return data
        }
        return DataSplit(train: apply(train), validation: apply(validation))
    }
}
