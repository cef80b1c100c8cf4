import XCTest
@testable import NNSearch
@testable import NNSearchCLI
@testable import NNSearchKernel

final class DeterminismTests: XCTestCase {
    /// The same trial on two threads at once gives bit-identical figures; another seed does not.
    func testSameSeedBitIdenticalAcrossThreads() {
        let data = Benchmark.sumBinData(rows: 400)
        var h = Hyperparameters()
        h.depth = 2; h.width = 24; h.epochs = 4; h.batchSize = 8; h.dropout = 0.1; h.normalize = .batchnorm
        h.optimizer = .adamw
        let box = Locked([[EpochRecord]](repeating: [], count: 3))
        let hyperparameters = h
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let records = TrialRunner(hyperparameters: hyperparameters, seed: i == 2 ? 99 : 5, data: data).run()
            box.withLock { $0[i] = records }
        }
        let results = box.current
        XCTAssertEqual(results[0].count, 4)
        XCTAssertEqual(results[0].map(\.trainLoss.bitPattern), results[1].map(\.trainLoss.bitPattern))
        XCTAssertEqual(results[0].map(\.valLoss.bitPattern), results[1].map(\.valLoss.bitPattern))
        XCTAssertNotEqual(results[0].map(\.trainLoss), results[2].map(\.trainLoss))
    }

    /// Every batch size from 1 to the whole training set trains without trouble, last partial batch included.
    func testBatchSizesIncludingPartialLastBatch() {
        let data = Benchmark.sumBinData(rows: 50)
        for batch in [1, 7, 50, 1000] {
            var h = Hyperparameters()
            h.depth = 1; h.width = 8; h.epochs = 2; h.batchSize = batch
            let runner = TrialRunner(hyperparameters: h, seed: 1, data: data)
            XCTAssertEqual(runner.batchSize, min(batch, 50))
            let records = runner.run()
            XCTAssertEqual(records.count, 2)
            XCTAssertTrue(records.allSatisfy { $0.trainLoss.isFinite && $0.valLoss.isFinite })
        }
    }
}
