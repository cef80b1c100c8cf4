import NNSearchKernel

/// How a search scores a trial: the spec's `validation`.
///
/// ```json
/// "validation": 0.2                          // hold out 20 % of the rows (the default)
/// "validation": {"folds": 5, "repeats": 2}   // 5-fold cross-validation, twice over
/// ```
package enum Validation: Sendable, Equatable {
    /// One seeded split: this fraction of the rows validates, in (0, 0.9].
    case holdout(Double)
    /// K-fold cross-validation: each trial trains one model per fold and repeat (see `FoldPlan`).
    case folds(CrossValidation)

    /// The default: 20 % of the rows held out.
    static let defaultValue = Validation.holdout(0.2)

    /// The cross-validation, or nil for a single split.
    package var crossValidation: CrossValidation? {
        if case .folds(let cv) = self { return cv }
        return nil
    }

    /// Models a trial trains: one per fold and repeat, or 1 for a single split.
    package var rounds: Int { crossValidation?.rounds ?? 1 }

    /// The share of the rows a model does not train on: the held-out fraction, or one fold's.
    package var heldOutFraction: Double {
        switch self {
        case .holdout(let fraction): fraction
        case .folds(let cv): 1 / Double(cv.folds)
        }
    }

    /// As a spec would hold it, for messages and `differences`: `0.2`, `{"folds": 5, "repeats": 2}`.
    var jsonText: String {
        switch self {
        case .holdout(let fraction): formatNumber(fraction)
        case .folds(let cv): cv.jsonText
        }
    }
}

/// K folds, repeated R times: the object form of `validation`.
///
/// Every row validates exactly once per repeat; a trial trains K × R models ("rounds", numbered
/// repeat × K + fold) one after another, on the same hyperparameters and seed, and is scored by
/// their mean. Folds are stratified by class for classification.
package struct CrossValidation: Sendable, Equatable {
    /// The spec's bounds: at least 2 folds (one is no cross-validation), at most 20; 1 to 10 repeats.
    static let foldRange = 2...20
    static let repeatRange = 1...10

    /// K: the rows are dealt into this many folds.
    package var folds: Int
    /// R: how many times, each with its own shuffle.
    package var repeats: Int

    package init(folds: Int, repeats: Int = 1) {
        self.folds = folds
        self.repeats = repeats
    }

    /// Models one trial trains: K × R.
    package var rounds: Int { folds * repeats }

    /// The object as a spec would hold it (`repeats` only when above 1).
    var jsonText: String {
        repeats == 1 ? "{\"folds\": \(folds)}" : "{\"folds\": \(folds), \"repeats\": \(repeats)}"
    }

    /// Where a trial is, for `status` and `watch`: "fold 2/5" or "fold 2/5, repeat 1/2", from its
    /// epochs across rounds (`epoch` of `total` = K × R × its epochs).
    package func position(epoch: Int, of total: Int) -> String {
        let perRound = max(total / max(rounds, 1), 1)
        return position(round: max(epoch, 0) / perRound)
    }

    /// Round `round` (repeat × K + fold) as "fold 2/5" or "fold 2/5, repeat 1/2" (the last round past the end).
    package func position(round: Int) -> String {
        let round = min(max(round, 0), rounds - 1)
        let fold = "fold \(round % folds + 1)/\(folds)"
        return repeats == 1 ? fold : fold + ", repeat \(round / folds + 1)/\(repeats)"
    }
}
