import XCTest
@testable import NNSearch
import NNSearchKernel

/// Each diagnosis from a curve built to show it, and the boundaries of its thresholds.
final class DiagnosisTests: XCTestCase {
    /// Three balanced classes: chance is ln 3 on both splits, a third correct.
    let chance = ChanceLevel(trainLoss: log(3), valLoss: log(3), trainMetric: 1.0 / 3, valMetric: 1.0 / 3, validationRows: 400)

    /// A curve from per-epoch (train loss, val loss, train metric, val metric).
    func curve(_ epochs: [(Double, Double, Double, Double)]) -> [EpochRecord] {
        epochs.enumerated().map { i, e in
            EpochRecord(epoch: i + 1, lr: 0.01, trainLoss: e.0, valLoss: e.1, trainMetric: e.2, valMetric: e.3)
        }
    }

    func testHealthyCurveIsOk() {
        let records = curve((0..<20).map { i in
            let t = Double(i) / 19
            return (1.0 - 0.9 * t, 1.0 - 0.85 * t, 0.6 + 0.39 * t, 0.6 + 0.37 * t)
        })
        XCTAssertEqual(Diagnosis.of(records, diverged: false, chance: chance), .ok)
    }

    func testNaNLossIsDiverged() {
        let records = curve([(1.0, 1.0, 0.5, 0.5), (.nan, .nan, 0.3, 0.3)])
        XCTAssertEqual(Diagnosis.of(records, diverged: false, chance: chance), .diverged)
        XCTAssertEqual(Diagnosis.of(curve([(1, 1, 0.5, 0.5)]), diverged: true, chance: chance), .diverged)
    }

    /// The seed report: validation loss stuck at 1.089 against ln 3 = 1.0986, a third correct.
    func testSeedsStuckLossIsChance() {
        let records = curve((0..<30).map { _ in (1.092, 1.089, 0.35, 0.34) })
        XCTAssertEqual(Diagnosis.of(records, diverged: false, chance: chance), .chance)
        // Without a chance level, the rule cannot apply.
        XCTAssertNotEqual(Diagnosis.of(records, diverged: false, chance: nil), .chance)
    }

    /// A loss that fell 5 % below chance while the predictions stayed the majority class's: chance by the metric.
    func testMajorityClassPredictionsAreChanceByTheMetric() {
        let records = curve([(0.98, 1.0, 0.60, 0.70)] + (0..<10).map { _ in (1.04, 1.04, 0.36, 0.35) })
        XCTAssertEqual(Diagnosis.of(records, diverged: false, chance: chance), .chance,
                       "an early lucky epoch that training loses does not count")
        // Four points above chance at the end still counts as chance; six points is not.
        XCTAssertEqual(Diagnosis.of(curve([(1.0, 1.0, 0.37, 1.0 / 3 + 0.04)]), diverged: false, chance: chance), .chance)
        XCTAssertNotEqual(Diagnosis.of(curve([(1.0, 1.0, 0.40, 1.0 / 3 + 0.06)]), diverged: false, chance: chance), .chance)
    }

    /// Memorizing: training accuracy climbs to 99 %, validation stays at 40 %, validation loss rises after epoch 5.
    func testMemorizingIsOverfit() {
        let records = curve((0..<40).map { i in
            let t = Double(i) / 39
            let val = i < 5 ? 1.05 - 0.01 * Double(i) : 1.01 + 0.05 * Double(i - 5)
            return (1.0 - 0.95 * t, val, 0.4 + 0.59 * t, 0.40)
        })
        XCTAssertEqual(Diagnosis.of(records, diverged: false, chance: chance), .overfit)
        // "High" training accuracy starts a quarter of the way from chance to perfect: 50 % for three classes.
        var modest = records
        modest[modest.count - 1].trainMetric = 0.48
        XCTAssertNotEqual(Diagnosis.of(modest, diverged: false, chance: chance), .overfit)
        modest[modest.count - 1].trainMetric = 0.52
        XCTAssertEqual(Diagnosis.of(modest, diverged: false, chance: chance), .overfit)
        // The same gap with a validation loss still at its minimum is not overfit (yet).
        var flat = records
        for i in flat.indices { flat[i].valLoss = 1.05 - 0.001 * Double(i) }
        XCTAssertNotEqual(Diagnosis.of(flat, diverged: false, chance: chance), .overfit)
    }

    /// Still learning at the last epoch, training accuracy 70 %: underfit; the same accuracy on a plateau is ok.
    func testStillImprovingFarFromPerfectIsUnderfit() {
        let rising = curve((0..<12).map { i in
            let t = Double(i) / 11
            return (1.0 - 0.3 * t, 1.0 - 0.28 * t, 0.5 + 0.2 * t, 0.5 + 0.19 * t)
        })
        XCTAssertEqual(Diagnosis.of(rising, diverged: false, chance: chance), .underfit)
        let plateau = curve((0..<12).map { _ in (0.7, 0.72, 0.7, 0.69) })
        XCTAssertEqual(Diagnosis.of(plateau, diverged: false, chance: chance), .ok)
        // Improving but already at 95 % training accuracy: not underfit.
        let nearlyThere = curve((0..<12).map { (i: Int) -> (Double, Double, Double, Double) in
            let x = 0.01 * Double(i)
            return (0.3 - x, 0.32 - x, 0.95, 0.94)
        })
        XCTAssertEqual(Diagnosis.of(nearlyThere, diverged: false, chance: chance), .ok)
    }

    /// 96 % of the rows in one class: 99 % accuracy is learning, not chance; 96.5 % is chance.
    func testImbalancedClassesKeepAMarginBelowPerfect() {
        let skewed = ChanceLevel(trainLoss: 0.168, valLoss: 0.168, trainMetric: 0.96, valMetric: 0.96, validationRows: 1000)
        XCTAssertEqual(Diagnosis.of(curve([(0.04, 0.05, 0.99, 0.99), (0.03, 0.04, 0.992, 0.99)]), diverged: false, chance: skewed), .ok)
        XCTAssertEqual(Diagnosis.of(curve([(0.167, 0.167, 0.962, 0.965)]), diverged: false, chance: skewed), .chance)
        XCTAssertEqual(Diagnosis.metricMargin(above: 0.96), 0.01, accuracy: 1e-12)
        XCTAssertEqual(Diagnosis.metricMargin(above: 1.0 / 3), 0.05)
    }

    /// A damaged chance line in `origin` is no chance level, never a shifted one.
    func testOriginChanceLineMustReadWhole() {
        func chance(_ line: String) -> ChanceLevel? { SearchOrigin(fields: ["chance": line]).chance }
        XCTAssertEqual(chance("1,1.1,0.35,0.31,400")?.validationRows, 400)
        XCTAssertEqual(chance("1,1.1,0.35,0.31")?.validationRows, 0, "written by 0.5's first builds: rows unknown")
        XCTAssertNil(chance("1,oops,0.35,0.31,400"))
        XCTAssertNil(chance("1,1.1,0.35,0.31,inf"))
        XCTAssertNil(chance("1,1.1,0.35,0.31,2.5"))
    }

    /// Regression: R² near 0 on both splits is chance; an MSE far below the targets' variance is not.
    func testRegressionChanceByVariance() {
        let variance = ChanceLevel(trainLoss: 4.0, valLoss: 4.2, trainMetric: 0, valMetric: -0.01, validationRows: 100)
        XCTAssertEqual(Diagnosis.of(curve([(4.1, 4.19, -0.02, 0.0)]), diverged: false, chance: variance), .chance)
        XCTAssertEqual(Diagnosis.of(curve([(0.4, 0.5, 0.9, 0.88), (0.39, 0.49, 0.9, 0.88)]), diverged: false, chance: variance), .ok)
    }

    /// The chance level of a split computed by hand: training classes 0,0,0,1 (3:1), validation 0,1.
    func testChanceLevelByHand() {
        let train = TrainingData.Part(rows: 4, features: [0, 0, 0, 0], labels: [0, 0, 0, 1], values: [])
        let validation = TrainingData.Part(rows: 2, features: [0, 0], labels: [0, 1], values: [])
        let c = TrainingData(featureCount: 1, lossKind: .binaryCrossEntropy, train: train, validation: validation).chance
        let entropy = -(0.75 * log(0.75) + 0.25 * log(0.25))
        XCTAssertEqual(c.trainLoss, entropy, accuracy: 1e-12)
        XCTAssertEqual(c.valLoss, -(log(0.75) + log(0.25)) / 2, accuracy: 1e-12)
        XCTAssertEqual(c.trainMetric, 0.75)
        XCTAssertEqual(c.valMetric, 0.5)
        XCTAssertEqual(c.validationRows, 2)
        XCTAssertEqual(c.accuracyNoise, 2 * (0.25 / 2).squareRoot(), accuracy: 1e-12)

        let rtrain = TrainingData.Part(rows: 3, features: [0, 0, 0], labels: [], values: [1, 2, 3])
        let rval = TrainingData.Part(rows: 2, features: [0, 0], labels: [], values: [2, 4])
        let r = TrainingData(featureCount: 1, lossKind: .meanSquaredError, train: rtrain, validation: rval).chance
        XCTAssertEqual(r.trainLoss, 2.0 / 3, accuracy: 1e-12)         // variance of 1, 2, 3
        XCTAssertEqual(r.valLoss, (0 + 4) / 2, accuracy: 1e-12)       // (2−2)², (4−2)²
        XCTAssertEqual(r.valMetric, 1 - 4.0 / 2.0, accuracy: 1e-12)   // 1 − SSE/SST, SST = 2
    }

    /// The training metric the runner measures is what its mini-batches predicted: 0…1, and high on an easy problem.
    func testRunnerMeasuresTrainingAccuracy() throws {
        let spec = try SearchSpec.parse(try parseJSON(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 500}, "seed": 1}"#, file: "t"),
                                        file: "t.json", baseDirectory: "/")
        let data = try SearchData(spec: spec)
        var h = Hyperparameters()
        h.normalize = .standardize
        h.epochs = 15
        let runner = TrialRunner(hyperparameters: h, seed: 1, data: data.data(for: .standardize))
        let records = runner.run()
        XCTAssertTrue(records.allSatisfy { (0...1).contains($0.trainMetric) })
        XCTAssertGreaterThan(records.last!.trainMetric, 0.85)
        XCTAssertLessThan(records.first!.trainMetric, records.last!.trainMetric)
    }
}
