import Foundation
import NNSearchKernel

/// When a running trial writes its checkpoint, and what that costs.
///
/// After an epoch the trial checkpoints unless the last checkpoint (or the trial's start) is
/// younger than `costFactor` times what a checkpoint write costs (measured; before the first
/// write, the search's latest figure): checkpointing then stays under 1/`costFactor` (5 %)
/// of trial time, and a kill loses at most one epoch or that short interval (tens of
/// milliseconds), whichever is longer. A graceful stop always checkpoints.
struct Checkpointing {
    static let costFactor = 20.0

    let path: String
    let identity: String
    /// Epochs the newest checkpoint (or restored state) holds (across folds with cross-validation).
    private(set) var epochs: Int
    /// Seconds spent writing checkpoints.
    private(set) var seconds = 0.0
    /// What the latest checkpoint write took (seconds).
    private(set) var lastCost: Double
    private var lastWritten = DispatchTime.now().uptimeNanoseconds

    init(path: String, identity: String, epochs: Int, estimatedCost: Double) {
        self.path = path
        self.identity = identity
        self.epochs = epochs
        lastCost = estimatedCost
    }

    /// Checkpoints after an epoch when enough time has passed since the last one.
    mutating func afterEpoch(_ runner: any TrialTraining) throws {
        let since = Double(DispatchTime.now().uptimeNanoseconds - lastWritten) / 1e9
        if since >= Self.costFactor * lastCost || FaultInjection.armsCheckpoints { try save(runner) }
    }

    /// Writes the checkpoint now (temp file, fsync, rename) unless it is already current.
    mutating func save(_ runner: any TrialTraining) throws {
        guard runner.epochsDone > epochs else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try writeAtomically(runner.checkpoint(identity: identity), to: path, sync: true)
        lastWritten = DispatchTime.now().uptimeNanoseconds
        lastCost = Double(lastWritten - t0) / 1e9
        seconds += lastCost
        epochs = runner.epochsDone
    }
}
