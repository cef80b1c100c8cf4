/// Where a finished trial ranks: the one order of `leaderboard.csv`, `status`, `list`, `watch`,
/// `explain` and the report.
///
/// Best first by the metric (larger is better, except for `val_loss`); equal metrics by the lower
/// validation loss (of two trials with the same accuracy, the one whose predictions are less
/// wrong: an lr=50 trial whose units died does not beat an lr=0.01 one), then by trial number.
/// Trials that did not complete (diverged, pruned: a NaN metric) come last, by trial number.
package struct TrialRank: Sendable, Equatable {
    /// The metric's value, NaN when the trial did not complete.
    package var metric: Double
    /// The last epoch's validation loss (NaN when unknown: it then breaks no tie in its favour).
    package var valLoss: Double
    package var trial: Int

    package init(metric: Double, valLoss: Double, trial: Int) {
        self.metric = metric
        self.valLoss = valLoss
        self.trial = trial
    }

    /// Whether `self` ranks before `other`; `maximize` says larger metrics are better.
    package func precedes(_ other: TrialRank, maximize: Bool) -> Bool {
        switch (metric.isNaN, other.metric.isNaN) {
        case (false, true): return true
        case (true, false): return false
        case (true, true): return trial < other.trial
        case (false, false):
            if metric != other.metric { return maximize ? metric > other.metric : metric < other.metric }
            if valLoss != other.valLoss, !(valLoss.isNaN && other.valLoss.isNaN) {
                return other.valLoss.isNaN || valLoss < other.valLoss
            }
            return trial < other.trial
        }
    }
}

extension ResultColumns {
    /// Fields after `val_loss` in a row (train metric, val metric, [the folds' two standard
    /// deviations,] seconds): numbers, so no commas.
    package static func fieldsAfterValLoss(crossValidated: Bool) -> Int { crossValidated ? 5 : 3 }

    /// The `val_loss` of a row of `trials.csv` (or a journal `finish` record's row), NaN when it
    /// cannot be read. Found from the row's end, where the columns never depend on the space.
    /// (A row of nnsearch 0.4 has one field fewer there: in such a folder, which is read but never
    /// resumed, `status` breaks ties by the training loss.)
    package static func valLoss(inRow row: String, fieldsAfterValLoss: Int = 3) -> Double {
        var row = row
        return row.withUTF8 { bytes in
            var commas = 0, end = bytes.count, i = bytes.count
            while i > 0 {
                i -= 1
                guard bytes[i] == UInt8(ascii: ",") else { continue }
                commas += 1
                if commas == fieldsAfterValLoss {
                    end = i
                } else if commas == fieldsAfterValLoss + 1 {
                    return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end]), as: UTF8.self)) ?? .nan
                }
            }
            return .nan
        }
    }
}

extension TrialOutcome {
    /// Where it ranks.
    package var rank: TrialRank { TrialRank(metric: metric, valLoss: valLoss, trial: number) }
}
