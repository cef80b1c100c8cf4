import NNSearchKernel

/// How a trial ended.
package enum TrialStatus: String, Sendable {
    /// Every epoch ran.
    case completed
    /// A loss became NaN or infinite; the trial stopped there.
    case diverged
    /// Stopped at a rung by successive halving or hyperband (`pruning` in the spec): it ranked
    /// below the trials that went on; its figures are those of the rung it reached.
    case pruned
}

/// One finished trial: what it was, how it ended, its last epoch's figures and its curve.
package struct TrialResult: Sendable {
    package var trial: Trial
    package var status: TrialStatus
    /// Its epochs; with cross-validation each epoch's mean over the folds (`FoldRunner.curve`).
    package var records: [EpochRecord]
    package var seconds: Double
    /// With cross-validation, how much the folds' final figures disagree; nil on a single split.
    package var spread: FoldSpread?

    package var last: EpochRecord? { records.last }

    package init(trial: Trial, status: TrialStatus, records: [EpochRecord], seconds: Double, spread: FoldSpread? = nil) {
        self.trial = trial
        self.status = status
        self.records = records
        self.seconds = seconds
        self.spread = spread
    }
}

/// The columns of `trials.csv` and `leaderboard.csv` (a contract: see the README).
package struct ResultColumns: Sendable {
    /// Space dimension names, in spec order.
    package let space: [String]
    package let task: TaskKind
    package let metric: Metric
    /// What a model that learned nothing scores on this data (for the `diagnosis` column; nil when unknown).
    package let chance: ChanceLevel?
    /// Whether trials are cross-validated: rows then carry the folds' standard deviations.
    package let crossValidated: Bool

    package init(space: [String], task: TaskKind, metric: Metric, chance: ChanceLevel?, crossValidated: Bool = false) {
        self.space = space
        self.task = task
        self.metric = metric
        self.chance = chance
        self.crossValidated = crossValidated
    }

    /// `val_accuracy` for classification, `val_r2` for regression.
    package var metricColumn: String { task == .classification ? "val_accuracy" : "val_r2" }

    /// `train_accuracy` for classification, `train_r2` for regression.
    package var trainMetricColumn: String { task == .classification ? "train_accuracy" : "train_r2" }

    /// The standard deviation columns of cross-validated rows: `val_accuracy_std` (`val_r2_std`), `val_loss_std`.
    package var spreadColumns: [String] { crossValidated ? [metricColumn + "_std", "val_loss_std"] : [] }

    /// The column of epochs actually run: `epochs`, or `epochs_run` when `epochs` is itself a column of
    /// the space (so no file has two columns of one name; rows of either are read the same, by position).
    package var epochsColumn: String { space.contains("epochs") ? "epochs_run" : "epochs" }

    /// The header fields: trial, status, diagnosis, space…, epochs|epochs_run, train_loss, val_loss,
    /// train_accuracy|train_r2, val_accuracy|val_r2, [val_accuracy_std|val_r2_std, val_loss_std,] seconds.
    package var header: [String] {
        ["trial", "status", "diagnosis"] + space + [epochsColumn, "train_loss", "val_loss", trainMetricColumn, metricColumn]
            + spreadColumns + ["seconds"]
    }

    /// The diagnosis of a result's curve.
    package func diagnosis(_ r: TrialResult) -> Diagnosis {
        Diagnosis.of(r.records, diverged: r.status == .diverged, chance: chance)
    }

    /// The row fields of a result, matching `header`.
    package func fields(_ r: TrialResult) -> [String] {
        let last = r.last
        return [String(r.trial.number), r.status.rawValue, diagnosis(r).rawValue] + r.trial.values + [
            String(r.records.count),
            formatNumber(last?.trainLoss ?? .nan),
            formatNumber(last?.valLoss ?? .nan),
            formatNumber(last?.trainMetric ?? .nan),
            formatNumber(last?.valMetric ?? .nan),
        ] + (crossValidated ? [formatNumber(r.spread?.valMetric ?? .nan), formatNumber(r.spread?.valLoss ?? .nan)] : []) + [
            formatNumber((r.seconds * 1000).rounded() / 1000),
        ]
    }

    /// The value a result is ranked by (larger is better after `score`), NaN when diverged.
    package func metricValue(_ r: TrialResult) -> Double {
        guard r.status == .completed, let last = r.last else { return .nan }
        return metric == .valLoss ? last.valLoss : last.valMetric
    }

    /// The per-epoch curve file's header.
    package var curveHeader: [String] { ["epoch", "lr", "train_loss", "val_loss", trainMetricColumn, metricColumn] }

    /// The per-epoch curve of a result as CSV text (with cross-validation, each epoch's mean over the folds).
    package func curveText(_ r: TrialResult) -> String {
        var text = csvLine(curveHeader)
        for e in r.records {
            text += csvLine([String(e.epoch), formatNumber(e.lr), formatNumber(e.trainLoss),
                             formatNumber(e.valLoss), formatNumber(e.trainMetric), formatNumber(e.valMetric)])
        }
        return text
    }
}
