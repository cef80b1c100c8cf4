/// The figures of one finished epoch.
struct EpochRecord: Equatable, Sendable {
    /// 1-based epoch number.
    var epoch: Int
    /// Learning rate used during the epoch.
    var lr: Double
    /// Mean training loss over the epoch's mini-batches (each taken before its update).
    var trainLoss: Double
    /// Mean validation loss after the epoch.
    var valLoss: Double
    /// Validation accuracy (classification) or R² (regression) after the epoch.
    var valMetric: Double

    /// True when a loss became NaN or infinite: the trial stops here, marked diverged.
    var diverged: Bool { !trainLoss.isFinite || !valLoss.isFinite }
}
