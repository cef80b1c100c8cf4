import XCTest
@testable import NNSearchCLI
@testable import NNSearchKernel

/// `TrialMemory` counts exactly what a trial allocates, so the search's up-front memory check
/// stays true when the model, the optimizer or the workspace change.
final class TrialMemoryTests: XCTestCase {
    func testTheEstimateIsWhatARunnerAllocates() {
        let data = Benchmark.sumBinData(rows: 300)
        var cases: [Hyperparameters] = []
        for optimizer in OptimizerKind.allCases {
            for (depth, width, batch) in [(0, 1, 1), (1, 7, 32), (3, 50, 300), (2, 16, 1000)] {
                for (normalize, dropout) in [(Normalization.none, 0.0), (.batchnorm, 0.5), (.standardize, 0.2)] {
                    var h = Hyperparameters()
                    h.optimizer = optimizer; h.depth = depth; h.width = width; h.batchSize = batch
                    h.normalize = normalize; h.dropout = dropout; h.epochs = 3
                    cases.append(h)
                }
            }
        }
        for h in cases {
            let runner = TrialRunner(hyperparameters: h, seed: 1, data: data)
            let memory = TrialMemory(hyperparameters: h, featureCount: data.featureCount, outputs: data.outputs,
                                     trainRows: data.train.rows)
            let model = runner.model, optimizer = runner.optimizer, ws = runner.workspace
            XCTAssertEqual(memory.model, 4 * (model.parameters.count + model.gradients.count
                                              + model.runningMean.count + model.runningVar.count), "\(h)")
            XCTAssertEqual(memory.optimizer, 4 * (optimizer.first.count + optimizer.second.count), "\(h)")
            XCTAssertEqual(memory.workspace, 4 * ws.floatCount + ws.maxRows * 16, "\(h)")
            for _ in 0..<h.epochs { runner.runEpoch() }
            let identity = String(repeating: "i", count: 256)
            XCTAssertEqual(memory.checkpoint, runner.checkpoint(identity: identity).count, "\(h)")
            XCTAssertEqual(memory.runner, 8 * runner.order.count + 48 * runner.records.count, "\(h)")
        }
    }

    func testOutputsForClassesAndRegression() {
        XCTAssertEqual(TrialMemory.outputs(classes: nil), 1)
        XCTAssertEqual(TrialMemory.outputs(classes: 2), 1)
        XCTAssertEqual(TrialMemory.outputs(classes: 7), 7)
    }
}
