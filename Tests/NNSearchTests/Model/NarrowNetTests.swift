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
            ("softmax, sum_mod", data(.sumMod, rows: 120)),
            ("binary, heart_rate", data(.heartRate, rows: 120)),
            ("regression, 3 features", regression(rows: 120, features: 3)),
            ("softmax, \(w) features", wideClassification(rows: 120, features: w, classes: w)),
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
                let data = extremes(special, kind: kind)
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
        let sumBin = data(.sumBin, rows: 40)
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
        XCTAssertNil(TrialRunner(hyperparameters: h, seed: 1, data: wideClassification(rows: 40, features: vecWidth + 1, classes: 3)).narrow)
    }

    /// Trains `h` both ways and compares; returns the narrow trial's records.
    ///
    /// A NaN matches any NaN: IEEE leaves a NaN's sign and payload to which operand of a
    /// commutative operation comes first, which the compiler may order differently in two
    /// loops (seen in the build without FMA); everything else is compared bit for bit.
    @discardableResult
    private func compare(_ h: Hyperparameters, data: TrainingData, label: String, file: StaticString = #filePath, line: UInt = #line) -> [EpochRecord] {
        let narrow = TrialRunner(hyperparameters: h, seed: 7, data: data)
        let general = TrialRunner(hyperparameters: h, seed: 7, data: data, narrowPasses: false)
        XCTAssertNotNil(narrow.narrow, label, file: file, line: line)
        let a = narrow.run(), b = general.run()
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        for (x, y) in zip(a, b) {
            func bits(_ r: EpochRecord) -> [UInt64] {
                [r.trainLoss, r.valLoss, r.trainMetric, r.valMetric].map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }
            }
            XCTAssertEqual(bits(x), bits(y), "\(label): epoch \(x.epoch)", file: file, line: line)
            XCTAssertEqual(x.diverged, y.diverged, "\(label): epoch \(x.epoch)", file: file, line: line)
        }
        assertSameBits(narrow.model.parameters, general.model.parameters, "parameters, " + label, file: file, line: line)
        assertSameBits(narrow.model.gradients, general.model.gradients, "gradients, " + label, file: file, line: line)
        assertSameBits(narrow.optimizer.first, general.optimizer.first, "optimizer state, " + label, file: file, line: line)
        assertSameBits(narrow.optimizer.second, general.optimizer.second, "Adam's second moment, " + label, file: file, line: line)
        return a
    }

    private func assertSameBits(_ a: FloatBuffer, _ b: FloatBuffer, _ what: String, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        func same(_ x: Float, _ y: Float) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        if let i = (0..<min(a.count, b.count)).first(where: { !same(a.pointer[$0], b.pointer[$0]) }) {
            XCTFail("\(what): element \(i): narrow \(a.pointer[i]) vs general \(b.pointer[i])", file: file, line: line)
        }
    }

    /// A generator's rows, standardized, split 5:1.
    private func data(_ generator: DataGenerator, rows: Int) -> TrainingData {
        let set = generator.generate(rows: rows, seed: 3)
        let train = rows * 5 / 6
        return TrainingData(train: set.subset(Array(0..<train)), validation: set.subset(Array(train..<rows)))
    }

    /// Three random features with every seventh value `special`; 3 classes (`kind` 0), 2 (1) or a
    /// regression target (2).
    private func extremes(_ special: Float, kind: Int) -> TrainingData {
        var rng = Random(seed: 5)
        func part(_ n: Int) -> TrainingData.Part {
            let x = (0..<n * 3).map { $0 % 7 == 3 ? special : rng.nextFloat() * 2 - 1 }
            if kind == 2 { return TrainingData.Part(rows: n, features: x, labels: [], values: (0..<n).map { _ in rng.nextFloat() }) }
            return TrainingData.Part(rows: n, features: x, labels: (0..<n).map { _ in Int32(rng.next(below: kind == 0 ? 3 : 2)) }, values: [])
        }
        let loss: LossKind = [.softmaxCrossEntropy(classes: 3), .binaryCrossEntropy, .meanSquaredError][kind]
        return TrainingData(featureCount: 3, lossKind: loss, train: part(50), validation: part(11))
    }

    /// Random features with a noisy linear target.
    private func regression(rows: Int, features: Int) -> TrainingData {
        var rng = Random(seed: 11)
        func part(_ n: Int) -> TrainingData.Part {
            let x = (0..<n * features).map { _ in rng.nextFloat() * 2 - 1 }
            let y = (0..<n).map { r in (0..<features).reduce(Float(0)) { $0 + Float($1 + 1) * x[r * features + $1] } + rng.nextFloat() * 0.1 }
            return TrainingData.Part(rows: n, features: x, labels: [], values: y)
        }
        return TrainingData(featureCount: features, lossKind: .meanSquaredError, train: part(rows * 5 / 6), validation: part(rows / 6))
    }

    /// Random features with a random class per row.
    private func wideClassification(rows: Int, features: Int, classes: Int) -> TrainingData {
        var rng = Random(seed: 13)
        func part(_ n: Int) -> TrainingData.Part {
            TrainingData.Part(rows: n, features: (0..<n * features).map { _ in rng.nextFloat() * 2 - 1 },
                              labels: (0..<n).map { _ in Int32(rng.next(below: classes)) }, values: [])
        }
        let kind: LossKind = classes == 2 ? .binaryCrossEntropy : .softmaxCrossEntropy(classes: classes)
        return TrainingData(featureCount: features, lossKind: kind, train: part(rows * 5 / 6), validation: part(rows / 6))
    }
}
