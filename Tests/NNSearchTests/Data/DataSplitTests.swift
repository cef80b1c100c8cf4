import XCTest
@testable import NNSearch
@testable import NNSearchKernel

final class DataSplitTests: XCTestCase {
    /// `n` rows whose first feature is the row index, with alternating classes.
    private func indexed(_ n: Int, classes: Int = 2) -> Dataset {
        Dataset(featureNames: ["i", "c"], features: (0..<n).flatMap { [Float($0), 7] },
                targets: .classes(labels: (0..<n).map { Int32($0 % classes) }, names: (0..<classes).map(String.init)))
    }

    private func rowIndices(_ data: Dataset) -> [Int] {
        stride(from: 0, to: data.features.count, by: data.featureCount).map { Int(data.features[$0]) }
    }

    private func assertDataError(_ body: @autoclosure () throws -> DataSplit, _ part: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? NNSearchError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.exitCode, 65, file: file, line: line)
            XCTAssert(error.message.contains(part), error.message, file: file, line: line)
        }
    }

    func testSizesFollowTheFloorOfTheTrainingShare() throws {
        for (n, fraction, trainCount) in [(2000, 0.2, 1600), (7, 0.3, 4), (10, 0.25, 7), (3, 0.1, 2)] {
            let split = try DataSplit(indexed(n), validationFraction: fraction, seed: 0)
            XCTAssertEqual(split.train.rowCount, trainCount, "n \(n) fraction \(fraction)")
            XCTAssertEqual(split.validation.rowCount, n - trainCount, "n \(n) fraction \(fraction)")
        }
    }

    func testPartsAreDisjointCoverAllRowsAndFollowTheSeededPermutation() throws {
        let split = try DataSplit(indexed(500), validationFraction: 0.2, seed: 42)
        let train = rowIndices(split.train), validation = rowIndices(split.validation)
        XCTAssertEqual((train + validation).sorted(), Array(0..<500))
        var random = Random(seed: 42, stream: 1)
        XCTAssertEqual(train + validation, random.permutation(500))
        guard case .classes(let labels, _) = split.train.targets else { return XCTFail("expected classes") }
        XCTAssertEqual(labels, train.map { Int32($0 % 2) })
    }

    func testSameSeedSameSplitDifferentSeedDifferentSplit() throws {
        let a = try DataSplit(indexed(200), validationFraction: 0.2, seed: 5)
        let b = try DataSplit(indexed(200), validationFraction: 0.2, seed: 5)
        let c = try DataSplit(indexed(200), validationFraction: 0.2, seed: 6)
        XCTAssertEqual(rowIndices(a.validation), rowIndices(b.validation))
        XCTAssertNotEqual(rowIndices(a.validation), rowIndices(c.validation))
    }

    func testErrors() {
        assertDataError(try DataSplit(indexed(10), validationFraction: 0, seed: 0), "validation split would be empty")
        assertDataError(try DataSplit(indexed(1), validationFraction: 0.2, seed: 0), "training split would be empty")
        assertDataError(try DataSplit(indexed(10, classes: 1), validationFraction: 0.2, seed: 0), "single class \"0\"")
        XCTAssertThrowsError(try DataSplit(indexed(10), validationFraction: .nan, seed: 0)) { error in
            XCTAssertEqual((error as? NNSearchError)?.kind, .usage)
        }
    }

    func testStandardizedUsesTrainingStatistics() throws {
        let data = DataGenerator.heartRate.generate(rows: 5000, seed: 9)
        let split = try DataSplit(data, validationFraction: 0.2, seed: 9)
        let raw = split.train.features.map(Double.init)
        let n = Double(raw.count)
        let mean = raw.reduce(0, +) / n
        let std = (raw.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        let stats = split.standardization()
        XCTAssertEqual(stats.mean[0], mean, accuracy: 1e-9 * mean)
        XCTAssertEqual(stats.std[0], std, accuracy: 1e-9 * std)

        let standard = split.standardized()
        let z = standard.train.features.map(Double.init)
        // Each z is rounded to Float (relative error ≤ 2⁻²⁴), so the mean of n of them is off by at most
        // 2⁻²⁴·max|z|, and the variance by about 2·2⁻²⁴·max z²; Double sums add n·2⁻⁵³ more.
        let maxZ = z.map(abs).max()!
        let zMean = z.reduce(0, +) / n
        let zStd = (z.map { ($0 - zMean) * ($0 - zMean) }.reduce(0, +) / n).squareRoot()
        XCTAssertEqual(zMean, 0, accuracy: 0x1p-24 * maxZ + n * 0x1p-53)
        XCTAssertEqual(zStd, 1, accuracy: 0x1p-23 * maxZ * maxZ + n * 0x1p-53)

        for (x, s) in zip(split.validation.features, standard.validation.features) {
            XCTAssertEqual(s, Float((Double(x) - mean) / std))
        }
        XCTAssertEqual(standard.train.targets, split.train.targets)
        XCTAssertEqual(standard.validation.targets, split.validation.targets)
    }

    func testConstantFeatureDividesByOne() throws {
        let standard = try DataSplit(indexed(100), validationFraction: 0.2, seed: 1).standardized()
        for data in [standard.train, standard.validation] {
            XCTAssert(stride(from: 1, to: data.features.count, by: 2).allSatisfy { data.features[$0] == 0 })
        }
    }
}
