import NNSearchKernel

/// What a trial's own curve says went wrong, if anything: the `diagnosis` column.
///
/// Checked in this order, the first that holds wins: `diverged`, `chance`, `overfit`, `underfit`,
/// else `ok`. Each rule reads only the trial's epochs and the data's chance level, so a trial's
/// diagnosis is as deterministic as its figures.
package enum Diagnosis: String, CaseIterable, Sendable {
    case ok
    /// Training accuracy (or R²) far from perfect and still improving at the last epoch: more epochs or a larger learning rate would help.
    case underfit
    /// Fits the training set, much worse on validation, validation loss rising from its minimum.
    case overfit
    /// It learned nothing: neither loss got clearly below what predicting the class frequencies (or
    /// the mean) gives, or neither accuracy (R²) got clearly above what predicting the majority class (the mean) scores.
    case chance
    /// A loss became NaN or infinite.
    case diverged

    /// What the diagnosis means, in a few words.
    package var meaning: String {
        switch self {
        case .ok: "the curve shows no problem"
        case .underfit: "far from fitting the training set and still improving at the last epoch: more epochs or a larger learning rate"
        case .overfit: "fits the training set, much worse on validation, and its validation loss is rising: it memorizes"
        case .chance: "it learned nothing: no better than predicting the most frequent class (the mean)"
        case .diverged: "the loss became NaN or infinite: lower the learning rate or standardize the inputs"
        }
    }

    // MARK: - Thresholds

    /// How close to the chance loss counts as "at chance": within 3 % of it. For three balanced
    /// classes that is 1.066–1.099 nats, and takes in the seed report's stuck 1.089 (0.9 % below
    /// ln 3); a network that learned even a weak rule (say 45 % accuracy on three classes) is
    /// already ≈ 8 % below, and one that learned the task is far below.
    static let chanceMargin = 0.03
    /// ... or by the metric: within 5 points of accuracy (0.05 of R²) of what always predicting the
    /// majority class (the mean) scores — about two standard errors of an accuracy measured on 400 rows.
    static let chanceMetricMargin = 0.05
    /// The margin above a chance level `level` (0…1): `chanceMetricMargin`, but at most a quarter of
    /// the way to perfect, so with 96 % in one class a model at 99 % is not "at chance".
    static func metricMargin(above level: Double) -> Double {
        min(chanceMetricMargin, (1 - min(max(level, 0), 1)) / 4)
    }

    /// A training metric is "high" when it went at least a quarter of the way from chance to perfect
    /// (50 % for three balanced classes, 0.25 for R²): with a gap of `overfitGap` to validation and a
    /// rising validation loss, that is already a network fitting rows rather than a rule.
    static let highTrainShare = 0.25
    /// "Much lower" on validation: at least 10 points of accuracy (or 0.1 of R²) below training,
    /// well outside the ±2.5 points a 1,000-row validation split's sampling noise gives at 70 %.
    static let overfitGap = 0.10
    /// "Rising from its minimum": the last validation loss more than 5 % above the lowest one.
    static let overfitRise = 0.05
    /// "Far from 100 %": a training accuracy (or R²) below 0.9.
    static let underfitTrainMetric = 0.9
    /// "Still improving": the training loss fell by more than 1 % over the last quarter of the
    /// epochs (at least the last one); a plateau moves less than that.
    static let improvingDrop = 0.01

    /// The diagnosis of a trial from its epochs, whether it diverged, and the data's chance level
    /// (nil when unknown: the `chance` rule is then skipped).
    package static func of(_ records: [EpochRecord], diverged: Bool, chance: ChanceLevel?) -> Diagnosis {
        if diverged || records.contains(where: \.diverged) { return .diverged }
        guard let last = records.last else { return .ok }
        let minValLoss = records.map(\.valLoss).min()!
        if let chance {
            // By the losses: neither got clearly below chance's.
            let lossAtChance = chance.valLoss > 0 && chance.trainLoss > 0
                && minValLoss >= chance.valLoss * (1 - chanceMargin) && last.trainLoss >= chance.trainLoss * (1 - chanceMargin)
            // By the metric: at the end, neither the validation nor the training figure is clearly above
            // chance's (a loss can fall a little while the predictions stay the majority class's; an
            // early lucky epoch that the training then loses does not count).
            let metricAtChance = last.valMetric <= chance.valMetric + metricMargin(above: chance.valMetric)
                && !(last.trainMetric > max(chance.trainMetric, 0) + metricMargin(above: max(chance.trainMetric, 0)))
            if lossAtChance || metricAtChance { return .chance }
        }
        let floor = chance.map { max($0.trainMetric, 0) } ?? 0
        let high = floor + highTrainShare * (1 - floor)
        if last.trainMetric >= high, last.trainMetric - last.valMetric >= overfitGap,
           last.valLoss > minValLoss * (1 + overfitRise) {
            return .overfit
        }
        if last.trainMetric < underfitTrainMetric, records.count >= 2 {
            let back = max(1, records.count / 4)
            let earlier = records[records.count - 1 - back].trainLoss
            if last.trainLoss < earlier * (1 - improvingDrop) { return .underfit }
        }
        return .ok
    }
}
