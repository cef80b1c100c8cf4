/// What one trial holds in memory, in bytes, by what allocates it: `MLP`, `Optimizer`,
/// `Workspace` and `TrialRunner` (its row order and epochs), and a checkpoint while it is made
/// or read. The search checks the largest configuration's figure against the memory it may use
/// before anything runs, since an allocation that fails traps (Swift cannot catch it).
package struct TrialMemory: Sendable, Equatable {
    /// The parameter and gradient buffers (padding included) and batch norm's running statistics.
    package var model: Int
    /// The momentum buffer, or Adam's two moments.
    package var optimizer: Int
    /// Every layer's activations and gradients for a batch (or an evaluation chunk, whichever is larger).
    package var workspace: Int
    /// The training rows' order and each epoch's figures.
    package var runner: Int
    /// The checkpoint's bytes, made while the state is also live (written, or read back to restore).
    package var checkpoint: Int
    /// How many copies of a checkpoint exist at once while it is made or read: the payload, the
    /// framed bytes and their `Data` (`TrainingCheckpoint.frame`, `payload`).
    package static let checkpointCopies = 3

    package var total: Int { model + optimizer + workspace + runner + Self.checkpointCopies * checkpoint }

    /// The memory of a trial with `h` on data of `featureCount` features, `outputs` outputs and `trainRows` training rows.
    package init(hyperparameters h: Hyperparameters, featureCount: Int, outputs: Int, trainRows: Int) {
        let layout = MLPLayout(inputs: featureCount, depth: h.depth, width: h.width, outputs: outputs,
                               batchNorm: h.normalize == .batchnorm)
        let parameters = layout.parameterCount, statistics = 2 * padded(featureCount)
        let moments = h.optimizer == .sgd ? 0 : (h.optimizer == .momentum ? 1 : 2)
        model = 4 * (2 * parameters + statistics)
        optimizer = 4 * moments * parameters
        let rows = max(min(h.batchSize, trainRows), TrialRunner.evaluationRows)
        workspace = Workspace.bytes(layout: layout, maxRows: rows, dropout: h.dropout > 0)
        runner = 8 * trainRows + EpochRecord.bytes * h.epochs
        let floats = 4 * (parameters + statistics + moments * parameters) + 8 * 5
        checkpoint = TrialRunner.checkpointSize(identityBytes: 256, epochs: h.epochs, rows: trainRows, floats: floats)
    }

    /// The network's outputs for `classes` classes (nil: regression): one logit for two classes.
    package static func outputs(classes: Int?) -> Int {
        guard let classes, classes > 2 else { return 1 }
        return classes
    }
}

extension EpochRecord {
    /// What one epoch's figures take in memory and in a checkpoint.
    static let bytes = 48
}
