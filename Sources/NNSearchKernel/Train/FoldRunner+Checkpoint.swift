import Foundation

// A cross-validated trial's checkpoint: which round it is in, the finished rounds' epochs, and the
// current round's whole `TrialRunner` checkpoint. Restoring it and training on gives bit-identical
// epochs, rounds and means to never having stopped.
//
// File: "NNSFOLD1", payload length, FNV-1a of the payload, payload (`TrainingCheckpoint`):
// identity, rounds, epochs per round, finished rounds and their epochs' figures, then the current
// round's checkpoint bytes (its identity: the trial's and " round R").

extension FoldRunner {
    static let checkpointMagic = Array("NNSFOLD1".utf8)

    /// The identity the current round's own checkpoint carries.
    private static func roundIdentity(_ identity: String, _ round: Int) -> String { identity + " round \(round)" }

    /// The trial's state as checkpoint bytes; `identity` names the trial (number, seed, values, validation).
    package func checkpoint(identity: String) -> Data {
        var w = BinaryWriter()
        w.write(identity)
        w.write(rounds)
        w.write(hyperparameters.epochs)
        w.write(finished.count)
        for records in finished {
            for r in records {
                w.write(r.epoch); w.write(r.lr); w.write(r.trainLoss); w.write(r.valLoss); w.write(r.trainMetric); w.write(r.valMetric)
            }
        }
        w.write(bytes: [UInt8](current.checkpoint(identity: Self.roundIdentity(identity, round))))
        return TrainingCheckpoint.frame(w.bytes, magic: Self.checkpointMagic)
    }

    /// The identity, the epochs across rounds and the round in progress, or an error if the file is not whole.
    static func peek(_ data: Data) throws -> TrainingCheckpoint.Summary {
        var r = try payload(data)
        let identity = try r.string(), rounds = try r.int(), epochs = try r.int(), done = try r.int()
        guard rounds >= 1, epochs >= 1, (0..<rounds).contains(done) else {
            throw TrainingCheckpoint.Problem(description: "its rounds are damaged")
        }
        for _ in 0..<(done * epochs * 6) { _ = try r.uint64() }
        let inner = try TrialRunner.peek(Data(try r.byteArray()))
        return TrainingCheckpoint.Summary(identity: identity, epochs: done * epochs + inner.epochs, round: done, rounds: rounds)
    }

    /// Replaces this runner's state (fresh from `init`) with a checkpoint's.
    package func restore(_ data: Data, identity: String) throws {
        var r = try Self.payload(data)
        let written = try r.string()
        guard written == identity else {
            throw TrainingCheckpoint.Problem(description: "it belongs to another configuration (\(written))")
        }
        let count = try r.int(), epochs = try r.int(), done = try r.int()
        guard count == rounds, epochs == hyperparameters.epochs else {
            throw TrainingCheckpoint.Problem(description: "it holds \(count) rounds of \(epochs) epochs, not \(rounds) of \(hyperparameters.epochs)")
        }
        guard (0..<rounds).contains(done) else {
            throw TrainingCheckpoint.Problem(description: "it records \(done) finished rounds of \(rounds)")
        }
        var restored = [[EpochRecord]]()
        for _ in 0..<done {
            var records = [EpochRecord]()
            for _ in 0..<epochs {
                records.append(EpochRecord(epoch: try r.int(), lr: try r.double(), trainLoss: try r.double(),
                                           valLoss: try r.double(), trainMetric: try r.double(), valMetric: try r.double()))
            }
            restored.append(records)
        }
        let inner = Data(try r.byteArray())
        guard r.isAtEnd else { throw TrainingCheckpoint.Problem(description: "it has trailing bytes") }
        let runner = done == 0 ? current : TrialRunner(hyperparameters: hyperparameters, seed: seed, data: self.data(done))
        try runner.restore(inner, identity: Self.roundIdentity(identity, done))
        finished = restored
        current = runner
    }

    /// A reader over the payload, with a clearer word for a single split's checkpoint.
    private static func payload(_ data: Data) throws -> BinaryReader {
        if data.prefix(8).elementsEqual(TrialRunner.checkpointMagic) {
            throw TrainingCheckpoint.Problem(description: "it holds a single split's trial, not a cross-validation's folds")
        }
        return try TrainingCheckpoint.payload(data, magic: checkpointMagic)
    }
}
