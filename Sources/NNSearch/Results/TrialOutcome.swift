import NNSearchKernel

/// A finished trial as the results show it: what it was and how it ended, typed.
package struct TrialOutcome: Sendable {
    package var number: Int
    package var status: TrialStatus
    /// nil for a row written before diagnoses existed.
    package var diagnosis: Diagnosis?
    /// The CSV text of each space dimension, in space order (the typed values: `TrialPlan.trial(number)`).
    package var values: [String]
    /// Epochs trained.
    package var epochs: Int
    package var trainLoss: Double
    package var valLoss: Double
    /// Training accuracy or R² (NaN for a row written before it was measured).
    package var trainMetric: Double
    /// Validation accuracy or R².
    package var valMetric: Double
    /// With cross-validation, the folds' standard deviation of the validation metric and loss (NaN without).
    package var valMetricStd: Double = .nan
    package var valLossStd: Double = .nan
    package var seconds: Double
    /// The value the search ranks by (the spec's metric); NaN unless the trial completed.
    package var metric: Double
    /// When its result was recorded (Unix seconds).
    package var time: Double
}

extension ResultColumns {
    /// The columns of a row written before `diagnosis` and the training metric were (nnsearch 0.4).
    var olderHeader: [String] {
        ["trial", "status"] + space + ["epochs", "train_loss", "val_loss", metricColumn, "seconds"]
    }

    /// A recorded row read back, or nil when it has neither this version's columns nor the older ones.
    func outcome(row: String, plan: TrialPlan, time: Double) -> TrialOutcome? {
        guard let record = try? CSVParser.records(Array(row.utf8)).first else { return nil }
        let f = record.fields
        let older = f.count == olderHeader.count && f.count != header.count
        guard f.count == header.count || older, let number = Int(f[0]), number >= 0, number < plan.count,
              let status = TrialStatus(rawValue: f[1]) else { return nil }
        let first = older ? 2 : 3
        let tail = Array(f[(first + space.count)...])
        let value = { (i: Int) in Double(tail[i]) ?? .nan }
        let trainMetric = older ? Double.nan : value(3)
        let valMetric = value(older ? 3 : 4)
        let valLoss = value(2)
        let metricValue = status != .completed ? Double.nan : (metric == .valLoss ? valLoss : valMetric)
        return TrialOutcome(
            number: number, status: status, diagnosis: older ? nil : Diagnosis(rawValue: f[2]),
            values: Array(f[first..<(first + space.count)]),
            epochs: Int(tail[0]) ?? 0, trainLoss: value(1), valLoss: valLoss, trainMetric: trainMetric,
            valMetric: valMetric, valMetricStd: crossValidated && !older ? value(5) : .nan,
            valLossStd: crossValidated && !older ? value(6) : .nan,
            seconds: value(tail.count - 1), metric: metricValue, time: time)
    }
}
