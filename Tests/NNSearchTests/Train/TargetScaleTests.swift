import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Regression targets are standardized for training: a target in the thousands trains like one
/// near 1, and every figure is reported in the target's own units.
final class TargetScaleTests: XCTestCase {
    /// y = 3·x0 − 2·x1 + noise on 400 rows, mapped by `unit` (e.g. grams instead of kilograms).
    private func data(_ unit: (Double) -> Double) -> TrainingData {
        var random = Random(seed: 5)
        var features = [Float](), values = [Float]()
        for _ in 0..<400 {
            let x0 = random.nextDouble(), x1 = random.nextDouble()
            features += [Float(x0), Float(x1)]
            values.append(Float(unit(3 * x0 - 2 * x1 + 0.05 * random.nextNormal())))
        }
        let all = Dataset(featureNames: ["x0", "x1"], features: features, targets: .values(values))
        return TrainingData(train: all.subset(Array(0..<320)), validation: all.subset(Array(320..<400))).standardizingTargets()
    }

    private func train(_ data: TrainingData) -> EpochRecord {
        var h = Hyperparameters()
        h.depth = 1; h.width = 16; h.epochs = 30; h.lr = 0.01; h.batchSize = 16
        return TrialRunner(hyperparameters: h, seed: 3, data: data).run().last!
    }

    func testATargetInTheThousandsTrainsLikeOneNearOne() {
        let near = train(data { $0 })
        let grams = train(data { 1000 * $0 + 5000 })
        XCTAssertGreaterThan(near.valMetric, 0.9, "the small problem is learned")
        XCTAssertEqual(grams.valMetric, near.valMetric, accuracy: 1e-3, "R² does not depend on the unit")
        // Losses are in the target's own units: squared, a factor of a million.
        XCTAssertEqual(grams.valLoss / near.valLoss, 1e6, accuracy: 1e6 * 1e-2)
        XCTAssertEqual(grams.trainLoss / near.trainLoss, 1e6, accuracy: 1e6 * 1e-2)
    }

    func testTheStatisticsComeFromTheTrainingPartAndTheChanceLevelStaysInTheTargetsUnits() {
        let values: [Float] = [1, 3, 5, 7, 100]
        let all = Dataset(featureNames: ["x"], features: [0, 1, 2, 3, 4], targets: .values(values))
        let plain = TrainingData(train: all.subset([0, 1, 2, 3]), validation: all.subset([4]))
        let scaled = plain.standardizingTargets()
        // Training part 1, 3, 5, 7: mean 4, population std √5.
        XCTAssertEqual(scaled.targetMean, 4)
        XCTAssertEqual(scaled.targetStd, 5.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(scaled.validation.values, [Float((100 - 4) / 5.0.squareRoot())])
        XCTAssertEqual(scaled.chance.valLoss, plain.chance.valLoss, "predicting the mean, in the target's units: 96²")
        XCTAssertEqual(plain.chance.valLoss, 96 * 96, accuracy: 1e-9)
        // Classification data is left as it is.
        let classes = Dataset(featureNames: ["x"], features: [0, 1, 2], targets: .classes(labels: [0, 1, 0], names: ["a", "b"]))
        let c = TrainingData(train: classes.subset([0, 1]), validation: classes.subset([2])).standardizingTargets()
        XCTAssertEqual(c.targetStd, 1)
        XCTAssertEqual(c.targetMean, 0)
    }
}
