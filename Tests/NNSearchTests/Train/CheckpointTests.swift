import XCTest
@testable import NNSearchCLI
@testable import NNSearchKernel

final class CheckpointTests: XCTestCase {
    private func hyperparameters(_ optimizer: OptimizerKind) -> Hyperparameters {
        var h = Hyperparameters()
        h.depth = 2; h.width = 16; h.epochs = 6; h.batchSize = 10; h.dropout = 0.1; h.normalize = .batchnorm
        h.optimizer = optimizer; h.schedule = .step(every: 2, gamma: 0.5)
        return h
    }

    /// A net the narrow passes run, at batch 1 (the row-by-row epoch).
    private func narrowHyperparameters(_ optimizer: OptimizerKind) -> Hyperparameters {
        var h = Hyperparameters()
        h.depth = 2; h.width = vecWidth; h.epochs = 6; h.batchSize = 1
        h.optimizer = optimizer; h.schedule = .step(every: 2, gamma: 0.5)
        return h
    }

    /// Stopping after any epoch, checkpointing, and continuing in a new runner gives bit-identical
    /// epochs — for the general passes (batch norm, dropout) and the narrow ones at batch 1.
    func testRestoredTrialContinuesBitIdentically() throws {
        let data = Benchmark.sumBinData(rows: 200)
        let configurations = OptimizerKind.allCases.flatMap { [hyperparameters($0), narrowHyperparameters($0)] }
        for h in configurations {
            XCTAssertEqual(TrialRunner(hyperparameters: h, seed: 3, data: data).narrow != nil, h.batchSize == 1)
            let reference = TrialRunner(hyperparameters: h, seed: 3, data: data).run()
            for stopAfter in 1..<h.epochs {
                let first = TrialRunner(hyperparameters: h, seed: 3, data: data)
                for _ in 0..<stopAfter { first.runEpoch() }
                let saved = first.checkpoint(identity: "t")
                XCTAssertEqual(try TrialRunner.peek(saved).epochs, stopAfter)
                let second = TrialRunner(hyperparameters: h, seed: 3, data: data)
                try second.restore(saved, identity: "t")
                let resumed = second.run()
                let label = "\(h.optimizer) batch \(h.batchSize) stopped after \(stopAfter)"
                XCTAssertEqual(resumed.map(\.trainLoss.bitPattern), reference.map(\.trainLoss.bitPattern), label)
                XCTAssertEqual(resumed, reference, label)
            }
        }
    }

    func testDamagedCheckpointsAreRefused() throws {
        let data = Benchmark.sumBinData(rows: 100)
        let h = hyperparameters(.adam)
        let runner = TrialRunner(hyperparameters: h, seed: 1, data: data)
        runner.runEpoch()
        let good = runner.checkpoint(identity: "trial 1")
        XCTAssertEqual(good.count, runner.checkpointSize(identity: "trial 1"), "checkpointSize (what the memory estimate counts) is the file's size")
        let fresh = { TrialRunner(hyperparameters: h, seed: 1, data: data) }
        XCTAssertNoThrow(try fresh().restore(good, identity: "trial 1"))
        var flipped = [UInt8](good); flipped[flipped.count / 2] ^= 0x40
        let cases: [(Data, String, String)] = [
            (good.prefix(good.count - 7), "trial 1", "truncated"),
            (Data(flipped), "trial 1", "checksum"),
            (Data("hello".utf8), "trial 1", "not an nnsearch checkpoint"),
            (good, "trial 2", "another configuration"),
        ]
        for (bytes, identity, reason) in cases {
            XCTAssertThrowsError(try fresh().restore(bytes, identity: identity)) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
            }
        }
    }
}
