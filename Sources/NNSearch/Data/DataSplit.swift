import NNSearchKernel

/// A dataset divided into training and validation rows by a seeded permutation, its columns
/// encoded as the training rows say (`FeatureEncoding`).
struct DataSplit: Sendable {
    /// The rows the model learns from; the only source of standardization statistics.
    var train: Dataset
    /// The held-out rows a trial is scored on.
    var validation: Dataset
    /// How the table's columns became these features, learned from the training rows.
    var encoding: FeatureEncoding

    /// Shuffles rows with `Random(seed: seed, stream: 1)`; the first `⌊n × (1 − validationFraction)⌋` train,
    /// the rest validate (as `anchors/seeds.py` splits).
    ///
    /// Throws a data error when either part would be empty or the training rows hold a single class.
    init(_ data: Dataset, validationFraction: Double, seed: UInt64) throws {
        try self.init(FeatureTable(data), validationFraction: validationFraction, seed: seed)
    }

    /// Splits `table` as `init(_:validationFraction:seed:)` does, then encodes both parts.
    init(_ data: FeatureTable, validationFraction: Double, seed: UInt64) throws {
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
        let trainRows = Array(order[..<trainCount])
        encoding = FeatureEncoding(learning: data, rows: trainRows)
        train = encoding.encode(data, rows: trainRows)
        validation = encoding.encode(data, rows: Array(order[trainCount...]))
        if let single = train.singleClass {
            throw NNSearchError.data(
                "the training split (\(counted(trainCount, "row")) of \(n), \(fraction)) has a single class"
                + " \(JSONValue.echo(single)); classification needs at least 2: use more rows")
        }
    }

    /// Round `round` of a cross-validation: its fold validates, the other rows train.
    ///
    /// Throws a data error when the training rows hold a single class.
    init(_ data: Dataset, folds plan: FoldPlan, round: Int) throws {
        try self.init(FeatureTable(data), folds: plan, round: round)
    }

    /// Round `round` of a cross-validation of `table`, encoded as its training rows say.
    init(_ data: FeatureTable, folds plan: FoldPlan, round: Int) throws {
        let trainRows = plan.trainingRows(round)
        encoding = FeatureEncoding(learning: data, rows: trainRows)
        train = encoding.encode(data, rows: trainRows)
        validation = encoding.encode(data, rows: plan.validationRows(round))
        if let single = train.singleClass {
            let (r, k) = round.quotientAndRemainder(dividingBy: plan.folds)
            let which = plan.repeats == 1 ? "fold \(k + 1)" : "fold \(k + 1) of repeat \(r + 1)"
            throw NNSearchError.data("cross-validation: the training rows of \(which) (\(train.rowCount) rows) have a"
                + " single class \(JSONValue.echo(single)); it needs at least 2 (use fewer folds, or more rows of the other classes)")
        }
    }

    /// A split made elsewhere (e.g. restored from a checkpoint).
    init(train: Dataset, validation: Dataset, encoding: FeatureEncoding) {
        self.train = train
        self.validation = validation
        self.encoding = encoding
    }

    /// Per-feature statistics of the training rows (see `Standardization`).
    func standardization() -> Standardization {
        Standardization(of: train.features, count: train.featureCount)
    }

    /// Both splits as `(x − mean) / std` with the training statistics (a constant feature divides by 1).
    func standardized() -> DataSplit {
        let s = standardization()
        var train = self.train, validation = self.validation
        s.apply(to: &train.features)
        s.apply(to: &validation.features)
        return DataSplit(train: train, validation: validation, encoding: encoding)
    }
}
