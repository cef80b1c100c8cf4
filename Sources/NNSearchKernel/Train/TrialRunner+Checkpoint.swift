import Foundation

// A checkpoint holds everything a trial's future depends on: the finished epochs' figures,
// the random stream, the row order (each epoch shuffles the previous order), the parameters,
// the batch-norm running statistics and the optimizer's state. Restoring it and training on
// gives bit-identical epochs to never having stopped.
//
// File: "NNSCKPT2", payload length, FNV-1a of the payload, payload (little-endian; `TrainingCheckpoint`).

extension TrialRunner {
    static let checkpointMagic = Array("NNSCKPT2".utf8)
    /// The magic of the format before epochs carried a training metric (0.4 and earlier).
    static let olderMagic = Array("NNSCKPT1".utf8)

    /// Why a checkpoint could not be used.
    typealias CheckpointError = TrainingCheckpoint.Problem

    /// The trial's state as checkpoint bytes. `identity` names the trial (number, seed, values),
    /// so a checkpoint is never applied to a different configuration.
    package func checkpoint(identity: String) -> Data {
        var w = BinaryWriter()
        w.write(identity)
        w.write(records.count)
        for r in records {
            w.write(r.epoch); w.write(r.lr); w.write(r.trainLoss); w.write(r.valLoss); w.write(r.trainMetric); w.write(r.valMetric)
        }
        w.write(rng.state.0); w.write(rng.state.1); w.write(rng.state.2); w.write(rng.state.3)
        w.write(order.count)
        for i in order { w.write(i) }
        w.write(optimizer.step)
        for buffer in [model.parameters, model.runningMean, model.runningVar, optimizer.first, optimizer.second] {
            w.write(UnsafeBufferPointer(start: buffer.pointer, count: buffer.count))
        }
        return TrainingCheckpoint.frame(w.bytes, magic: TrialRunner.checkpointMagic)
    }

    /// The size of the checkpoint `checkpoint(identity:)` writes now.
    func checkpointSize(identity: String) -> Int {
        let floats = [model.parameters, model.runningMean, model.runningVar, optimizer.first, optimizer.second]
            .reduce(0) { $0 + 8 + 4 * $1.count }
        return TrialRunner.checkpointSize(identityBytes: identity.utf8.count, epochs: records.count,
                                           rows: order.count, floats: floats)
    }

    /// Header, identity, epoch figures, random state, row order, step and the float buffers (with their counts).
    static func checkpointSize(identityBytes: Int, epochs: Int, rows: Int, floats: Int) -> Int {
        24 + (8 + identityBytes) + (8 + 48 * epochs) + 32 + (8 + 8 * rows) + 8 + floats
    }

    /// The identity and epoch count in a checkpoint, or an error if the file is not whole.
    package static func peek(_ data: Data) throws -> (identity: String, epochs: Int) {
        var r = try payload(data)
        return (try r.string(), try r.int())
    }

    /// Replaces this runner's state (fresh from `init`) with a checkpoint's.
    package func restore(_ data: Data, identity: String) throws {
        var r = try TrialRunner.payload(data)
        let written = try r.string()
        guard written == identity else {
            throw CheckpointError(description: "it belongs to another configuration (\(written))")
        }
        let count = try r.int()
        guard (0..<hyperparameters.epochs).contains(count) else {
            throw CheckpointError(description: "it records \(count) epochs of \(hyperparameters.epochs)")
        }
        var restored = [EpochRecord]()
        for _ in 0..<count {
            restored.append(EpochRecord(epoch: try r.int(), lr: try r.double(), trainLoss: try r.double(),
                                        valLoss: try r.double(), trainMetric: try r.double(), valMetric: try r.double()))
        }
        let state = (try r.uint64(), try r.uint64(), try r.uint64(), try r.uint64())
        let n = try r.int()
        guard n == order.count else { throw CheckpointError(description: "its row order has \(n) rows, not \(order.count)") }
        var newOrder = [Int]()
        newOrder.reserveCapacity(n)
        for _ in 0..<n {
            let i = try r.int()
            guard (0..<n).contains(i) else { throw CheckpointError(description: "its row order is damaged") }
            newOrder.append(i)
        }
        let step = try r.int()
        for buffer in [model.parameters, model.runningMean, model.runningVar, optimizer.first, optimizer.second] {
            try r.floats(into: UnsafeMutableBufferPointer(start: buffer.pointer, count: buffer.count))
        }
        guard r.isAtEnd else { throw CheckpointError(description: "it has trailing bytes") }
        records = restored
        rng = Random(state: state)
        order = newOrder
        optimizer.step = step
    }

    /// A reader over the payload after checking the magic, the length and the checksum.
    private static func payload(_ data: Data) throws -> BinaryReader {
        if data.prefix(8).elementsEqual(olderMagic) {
            throw CheckpointError(description: "it was written by an older nnsearch (no training metric per epoch)")
        }
        if data.prefix(8).elementsEqual(FoldRunner.checkpointMagic) {
            throw CheckpointError(description: "it holds a cross-validation's folds, not a single split's trial")
        }
        return try TrainingCheckpoint.payload(data, magic: checkpointMagic)
    }
}
