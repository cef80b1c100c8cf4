import Foundation

/// What trains one trial epoch by epoch and checkpoints it: a `TrialRunner` on one split, or a
/// `FoldRunner` over the rounds (folds × repeats) of a cross-validation. The executor drives either.
package protocol TrialTraining: AnyObject {
    /// Epochs trained so far; across every round for a `FoldRunner` (what claims, heartbeats and
    /// checkpoints count).
    var epochsDone: Int { get }
    /// True once every epoch (of every round) ran or a loss diverged.
    var isFinished: Bool { get }
    /// True when a loss became NaN or infinite (in any round): the trial stopped there.
    var diverged: Bool { get }
    /// The newest epoch's figures (the current round's, for a `FoldRunner`).
    var latest: EpochRecord? { get }
    /// The trial's curve: its epochs, or each epoch's mean over the rounds (see `FoldRunner.curve`).
    var curve: [EpochRecord] { get }
    /// The spread of the rounds' final figures; nil on a single split.
    var spread: FoldSpread? { get }
    /// Trains the next epoch.
    func trainEpoch()
    /// The whole state as checkpoint bytes; `identity` names the trial (see `TrialRunner.checkpoint`).
    func checkpoint(identity: String) -> Data
    /// Replaces the state (fresh from `init`) with a checkpoint's; throws when it is damaged or another trial's.
    func restore(_ data: Data, identity: String) throws
}

/// How much the rounds of a cross-validation disagree: the population standard deviation (as
/// scikit-learn's `std_test_score`) of each round's figures at its last epoch.
package struct FoldSpread: Equatable, Sendable {
    /// Of the validation accuracy (R² for regression).
    package var valMetric: Double
    /// Of the validation loss.
    package var valLoss: Double

    package init(valMetric: Double, valLoss: Double) {
        self.valMetric = valMetric
        self.valLoss = valLoss
    }
}

extension TrialRunner: TrialTraining {
    package var epochsDone: Int { records.count }
    package var diverged: Bool { records.last?.diverged == true }
    package var latest: EpochRecord? { records.last }
    package var curve: [EpochRecord] { records }
    package var spread: FoldSpread? { nil }
    package func trainEpoch() { runEpoch() }
}
