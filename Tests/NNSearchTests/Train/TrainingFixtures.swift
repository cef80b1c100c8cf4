import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Small data sets and bit-for-bit comparisons shared by the tests that train one trial two ways
/// (`NarrowNetTests`, `LockstepTests`).
enum TrainingFixtures {
    /// A generator's rows, standardized, split 5:1.
    static func generated(_ generator: DataGenerator, rows: Int) -> TrainingData {
        let set = generator.generate(rows: rows, seed: 3)
        let train = rows * 5 / 6
        return TrainingData(train: set.subset(Array(0..<train)), validation: set.subset(Array(train..<rows)))
    }

    /// Three random features with every seventh value `special`; 3 classes (`kind` 0), 2 (1) or a
    /// regression target (2).
    static func extremes(_ special: Float, kind: Int) -> TrainingData {
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
    static func regression(rows: Int, features: Int) -> TrainingData {
        var rng = Random(seed: 11)
        func part(_ n: Int) -> TrainingData.Part {
            let x = (0..<n * features).map { _ in rng.nextFloat() * 2 - 1 }
            let y = (0..<n).map { r in (0..<features).reduce(Float(0)) { $0 + Float($1 + 1) * x[r * features + $1] } + rng.nextFloat() * 0.1 }
            return TrainingData.Part(rows: n, features: x, labels: [], values: y)
        }
        return TrainingData(featureCount: features, lossKind: .meanSquaredError, train: part(rows * 5 / 6), validation: part(rows / 6))
    }

    /// Random features with a random class per row.
    static func classification(rows: Int, features: Int, classes: Int) -> TrainingData {
        var rng = Random(seed: 13)
        func part(_ n: Int) -> TrainingData.Part {
            TrainingData.Part(rows: n, features: (0..<n * features).map { _ in rng.nextFloat() * 2 - 1 },
                              labels: (0..<n).map { _ in Int32(rng.next(below: classes)) }, values: [])
        }
        let kind: LossKind = classes == 2 ? .binaryCrossEntropy : .softmaxCrossEntropy(classes: classes)
        return TrainingData(featureCount: features, lossKind: kind, train: part(rows * 5 / 6), validation: part(rows / 6))
    }

    /// An epoch's four figures as bits, every NaN as one (see `assertSameBits`).
    static func bits(_ r: EpochRecord) -> [UInt64] {
        [r.trainLoss, r.valLoss, r.trainMetric, r.valMetric].map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }
    }

    /// Fails at the first element whose bits differ.
    ///
    /// A NaN matches any NaN: IEEE leaves a NaN's sign and payload to which operand of a
    /// commutative operation comes first, which the compiler may order differently in two
    /// loops (seen in the build without FMA); everything else is compared bit for bit.
    static func assertSameBits(_ a: FloatBuffer, _ b: FloatBuffer, _ what: String, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        func same(_ x: Float, _ y: Float) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        if let i = (0..<min(a.count, b.count)).first(where: { !same(a.pointer[$0], b.pointer[$0]) }) {
            XCTFail("\(what): element \(i): \(a.pointer[i]) vs \(b.pointer[i])", file: file, line: line)
        }
    }
}
