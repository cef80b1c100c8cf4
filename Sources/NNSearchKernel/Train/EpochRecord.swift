/// The figures of one finished epoch.
package struct EpochRecord: Equatable, Sendable {
    /// 1-based epoch number.
    package var epoch: Int
    /// Learning rate used during the epoch.
    package var lr: Double
    /// Mean training loss over the epoch's mini-batches (each taken before its update).
    package var trainLoss: Double
    /// Mean validation loss after the epoch.
    package var valLoss: Double
    /// Training accuracy (classification) or R² (regression) over the epoch's mini-batches, each
    /// taken before its update (as `trainLoss` is; dropout active): what the network fits while it learns.
    package var trainMetric: Double
    /// Validation accuracy (classification) or R² (regression) after the epoch.
    package var valMetric: Double

    package init(epoch: Int, lr: Double, trainLoss: Double, valLoss: Double, trainMetric: Double, valMetric: Double) {
        self.epoch = epoch
        self.lr = lr
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.trainMetric = trainMetric
        self.valMetric = valMetric
    }

    /// True when a loss became NaN or infinite: the trial stops here, marked diverged.
    package var diverged: Bool { !trainLoss.isFinite || !valLoss.isFinite }
}
