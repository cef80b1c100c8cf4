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
        var trained = 0
        for (name, data) in datasets {
            for depth in 1...4 {
                for width in [1, 2, 5, w] {
                    for batch in [1, 3, 16] {
                        var h = Hyperparameters()
                        h.depth = depth; h.width = width; h.batchSize = batch; h.epochs = 3
                        h.activation = [Activation.relu, .tanh, .sigmoid, .selu][(depth + width) % 4]
                        h.optimizer = [OptimizerKind.sgd, .momentum, .adam, .adamw][(width + batch) % 4]
                        h.lr = h.optimizer == .adam || h.optimizer == .adamw ? 0.01 : 0.1
                        h.weightDecay = batch == 3 ? 0.01 : nil
                        compare(h, data: data, label: "\(name), depth \(depth) width \(width) batch \(batch) \(h.activation) \(h.optimizer)")
                        trained += 1
                    }
                }
            }
        }
        XCTAssertEqual(trained, 4 * 4 * 4 * 3)
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

    private func compare(_ h: Hyperparameters, data: TrainingData, label: String, file: StaticString = #filePath, line: UInt = #line) {
        let narrow = TrialRunner(hyperparameters: h, seed: 7, data: data)
        let general = TrialRunner(hyperparameters: h, seed: 7, data: data, narrowPasses: false)
        XCTAssertNotNil(narrow.narrow, label, file: file, line: line)
        let a = narrow.run(), b = general.run()
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        for (x, y) in zip(a, b) {
            let bits = [x.trainLoss, x.valLoss, x.trainMetric, x.valMetric].map(\.bitPattern)
            XCTAssertEqual(bits, [y.trainLoss, y.valLoss, y.trainMetric, y.valMetric].map(\.bitPattern),
                           "\(label): epoch \(x.epoch)", file: file, line: line)
        }
        assertSameBits(narrow.model.parameters, general.model.parameters, "parameters, " + label, file: file, line: line)
        assertSameBits(narrow.model.gradients, general.model.gradients, "gradients, " + label, file: file, line: line)
        assertSameBits(narrow.optimizer.first, general.optimizer.first, "optimizer state, " + label, file: file, line: line)
        assertSameBits(narrow.optimizer.second, general.optimizer.second, "Adam's second moment, " + label, file: file, line: line)
    }

    private func assertSameBits(_ a: FloatBuffer, _ b: FloatBuffer, _ what: String, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        if let i = (0..<min(a.count, b.count)).first(where: { a.pointer[$0].bitPattern != b.pointer[$0].bitPattern }) {
            XCTFail("\(what): element \(i): narrow \(a.pointer[i]) vs general \(b.pointer[i])", file: file, line: line)
        }
    }

    /// A generator's rows, standardized, split 5:1.
    private func data(_ generator: DataGenerator, rows: Int) -> TrainingData {
        let set = generator.generate(rows: rows, seed: 3)
        let train = rows * 5 / 6
        return TrainingData(train: set.subset(Array(0..<train)), validation: set.subset(Array(train..<rows)))
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
