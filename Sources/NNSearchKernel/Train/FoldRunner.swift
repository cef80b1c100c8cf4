import Foundation

/// Trains one trial once per round of a cross-validation (fold × repeat), one round after another,
/// and reports each epoch's mean over the rounds.
///
/// Every round trains a fresh `TrialRunner` with the trial's hyperparameters and seed on that
/// round's data (as scikit-learn clones one estimator, `random_state` included, for every fold):
/// the rounds differ by their rows only. A round's data is asked for when the round starts. If a
/// round diverges, the trial stops there, diverged. All state lives here, so it checkpoints
/// between any two epochs (`FoldRunner+Checkpoint`).
package final class FoldRunner {
    let hyperparameters: Hyperparameters
    let seed: UInt64
    /// Rounds in all: K × R.
    package let rounds: Int
    /// Round r's training data: its training rows and its validation fold.
    let data: @Sendable (Int) -> TrainingData
    /// The epochs of every finished round, in round order (each complete: a diverged round ends the trial).
    package internal(set) var finished: [[EpochRecord]] = []
    /// The round in progress (the last one, once the trial is finished).
    package internal(set) var current: TrialRunner

    package init(hyperparameters: Hyperparameters, seed: UInt64, rounds: Int, data: @escaping @Sendable (Int) -> TrainingData) {
        precondition(rounds >= 1)
        self.hyperparameters = hyperparameters
        self.seed = seed
        self.rounds = rounds
        self.data = data
        current = TrialRunner(hyperparameters: hyperparameters, seed: seed, data: data(0))
    }

    /// The index of the round in progress: repeat × K + fold.
    package var round: Int { finished.count }

    /// Trains one epoch of the current round; once the round is done, the next one starts (so a
    /// checkpoint taken between rounds is at the next round's epoch 0).
    package func trainEpoch() {
        precondition(!isFinished, "the trial is finished")
        current.runEpoch()
        if current.isFinished, !current.diverged, round + 1 < rounds {
            finished.append(current.records)
            current = TrialRunner(hyperparameters: hyperparameters, seed: seed, data: data(round))
        }
    }

    // MARK: - Figures

    /// Every round run so far, with its epochs (the current one last).
    var roundsRun: [[EpochRecord]] { finished + [current.records] }

    /// Each epoch's figures averaged over the rounds that ran it, in round order: epoch e is the
    /// mean of the rounds with at least e epochs; the learning rate is the schedule's (the same in
    /// every round). A diverged trial's curve ends at the epoch where its round diverged (its last
    /// figures include the non-finite loss); a finished one's has every epoch, each over all rounds.
    package var curve: [EpochRecord] {
        let runs = roundsRun
        let length = diverged ? current.records.count : runs.map(\.count).max() ?? 0
        return (0..<length).map { e in
            let epochs = runs.compactMap { $0.count > e ? $0[e] : nil }
            let n = Double(epochs.count)
            func mean(_ figure: (EpochRecord) -> Double) -> Double { epochs.reduce(0.0) { $0 + figure($1) } / n }
            return EpochRecord(epoch: e + 1, lr: epochs[0].lr, trainLoss: mean(\.trainLoss), valLoss: mean(\.valLoss),
                               trainMetric: mean(\.trainMetric), valMetric: mean(\.valMetric))
        }
    }

    /// The population standard deviation over the rounds of their last epoch's validation metric
    /// and loss: NaN unless every round finished (a diverged trial has no spread to speak of).
    package var spread: FoldSpread? {
        guard isFinished, !diverged else { return FoldSpread(valMetric: .nan, valLoss: .nan) }
        let finals = roundsRun.compactMap(\.last)
        return FoldSpread(valMetric: Self.standardDeviation(finals.map(\.valMetric)),
                          valLoss: Self.standardDeviation(finals.map(\.valLoss)))
    }

    /// √(Σ(x − mean)² / n), the population form (ddof 0, as NumPy's `std` and scikit-learn's `std_test_score`).
    package static func standardDeviation(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let n = Double(xs.count)
        let mean = xs.reduce(0.0, +) / n
        return (xs.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
    }
}

extension FoldRunner: TrialTraining {
    /// Epochs across rounds: the finished rounds' (each complete) and the current round's.
    package var epochsDone: Int { finished.count * hyperparameters.epochs + current.records.count }
    package var isFinished: Bool { current.diverged || (round == rounds - 1 && current.isFinished) }
    package var diverged: Bool { current.diverged }
    package var latest: EpochRecord? { current.records.last }
}
