import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The narrow passes (`NarrowNet`: every layer within one vector) against the general passes of
/// `MLP.forward` and `MLP.backward`: whole trials trained both ways end bit for bit the same —
/// every epoch's figures, the parameters and the optimizer's state — for every loss, activation
/// and optimizer, depths 1–4, widths up to a vector, and batch 1 (the row passes) and larger.
final class NarrowNetTests: XCTestCase {
    func testTrialsMatchTheGeneralPassesBitForBit() {
        let w = vecWidth
        let datasets: [(String, TrainingData)] = [
            ("softmax, sum_mod", TrainingFixtures.generated(.sumMod, rows: 120)),
            ("binary, heart_rate", TrainingFixtures.generated(.heartRate, rows: 120)),
            ("regression, 3 features", TrainingFixtures.regression(rows: 120, features: 3)),
            ("softmax, \(w) features", TrainingFixtures.classification(rows: 120, features: w, classes: w)),
        ]
        for (name, data) in datasets {
            for depth in 1...4 {
                for width in [1, 2, 5, w] {
                    for batch in [1, 3, 16] {
                        var h = Hyperparameters()
                        h.depth = depth; h.width = width; h.batchSize = batch; h.epochs = 3
                        h.activation = [Activation.relu, .tanh, .sigmoid, .selu][(depth + width) % 4]
                        h.optimizer = [OptimizerKind.sgd, .momentum, .adam, .adamw][(depth + width + batch) % 4]
                        h.lr = h.optimizer == .adam || h.optimizer == .adamw ? 0.01 : 0.1
                        h.weightDecay = depth % 2 == 0 ? 0.01 : nil
                        compare(h, data: data, label: "\(name), depth \(depth) width \(width) batch \(batch) \(h.activation) \(h.optimizer)")
                    }
                }
            }
        }
    }

    /// Inputs of -0, 1e30, -inf and NaN and learning rates of 0.1 and 10⁴ (many trials diverge) end the
    /// same both ways too, for every activation and optimizer at batch 1 (the row passes) and 3.
    func testExtremeInputsAndDivergingTrialsMatch() {
        var trained = 0, diverged = 0
        for special: Float in [-0.0, 1e30, -.infinity, .nan] {
            for kind in 0..<3 {
                let data = TrainingFixtures.extremes(special, kind: kind)
                for depth in [1, 3] {
                    for width in [2, vecWidth] {
                        for batch in [1, 3] {
                            for lr in [0.1, 1e4] {
                                for activation in Activation.allCases {
                                    for optimizer in OptimizerKind.allCases {
                                        var h = Hyperparameters()
                                        h.depth = depth; h.width = width; h.batchSize = batch; h.epochs = 3; h.lr = lr
                                        h.activation = activation; h.optimizer = optimizer
                                        let records = compare(h, data: data, label: "feature \(special), loss \(kind), depth \(depth) width \(width) batch \(batch) lr \(lr) \(activation) \(optimizer)")
                                        trained += 1
                                        if records.last?.diverged == true { diverged += 1 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(diverged, trained / 4, "the extremes should make many trials diverge")
        XCTAssertLessThan(diverged, trained, "and some should not")
    }

    /// Nets the narrow passes cannot run go the general way: batch norm, dropout, wider layers or inputs.
    func testOnlyNarrowNetsWithoutBatchNormOrDropoutTakeTheNarrowPasses() {
        let sumBin = TrainingFixtures.generated(.sumBin, rows: 40)
        var h = Hyperparameters()
        h.depth = 2; h.width = vecWidth
        XCTAssertNotNil(TrialRunner(hyperparameters: h, seed: 1, data: sumBin).narrow)
        XCTAssertNil(TrialRunner(hyperparameters: h, seed: 1, data: sumBin, narrowPasses: false).narrow)
        var wide = h; wide.width = vecWidth + 1
        XCTAssertNil(TrialRunner(hyperparameters: wide, seed: 1, data: sumBin).narrow)
        var norm = h; norm.normalize = .batchnorm
        XCTAssertNil(TrialRunner(hyperparameters: norm, seed: 1, data: sumBin).narrow)
        var drop = h; drop.dropout = 0.2
        XCTAssertNil(TrialRunner(hyperparameters: drop, seed: 1, data: sumBin).narrow)
        XCTAssertNil(TrialRunner(hyperparameters: h, seed: 1, data: TrainingFixtures.classification(rows: 40, features: vecWidth + 1, classes: 3)).narrow)
    }

    /// Trains `h` both ways and compares (a NaN matches any NaN: see `TrainingFixtures.assertSameBits`);
    /// returns the narrow trial's records.
    @discardableResult
    private func compare(_ h: Hyperparameters, data: TrainingData, label: String, file: StaticString = #filePath, line: UInt = #line) -> [EpochRecord] {
        let narrow = TrialRunner(hyperparameters: h, seed: 7, data: data)
        let general = TrialRunner(hyperparameters: h, seed: 7, data: data, narrowPasses: false)
        XCTAssertNotNil(narrow.narrow, label, file: file, line: line)
        let a = narrow.run(), b = general.run()
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(TrainingFixtures.bits(x), TrainingFixtures.bits(y), "\(label): epoch \(x.epoch)", file: file, line: line)
            XCTAssertEqual(x.diverged, y.diverged, "\(label): epoch \(x.epoch)", file: file, line: line)
        }
        TrainingFixtures.assertSameBits(narrow.model.parameters, general.model.parameters, "parameters, " + label, file: file, line: line)
        TrainingFixtures.assertSameBits(narrow.model.gradients, general.model.gradients, "gradients, " + label, file: file, line: line)
        TrainingFixtures.assertSameBits(narrow.optimizer.first, general.optimizer.first, "optimizer state, " + label, file: file, line: line)
        TrainingFixtures.assertSameBits(narrow.optimizer.second, general.optimizer.second, "Adam's second moment, " + label, file: file, line: line)
        return a
    }
}
