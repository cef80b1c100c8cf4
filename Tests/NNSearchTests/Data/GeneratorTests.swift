import XCTest
@testable import NNSearch

final class GeneratorTests: XCTestCase {
    private let rows = 20_000

    /// The labels of a classification dataset.
    private func labels(_ data: Dataset, file: StaticString = #filePath, line: UInt = #line) -> [Int32] {
        guard case .classes(let labels, _) = data.targets else {
            XCTFail("expected classes", file: file, line: line)
            return []
        }
        return labels
    }

    /// Asserts each class's share is within 5 standard errors (√(p(1−p)/n)) of its expected probability.
    private func assertBalance(_ labels: [Int32], expected: [Double],
                               file: StaticString = #filePath, line: UInt = #line) {
        let n = Double(labels.count)
        for (k, p) in expected.enumerated() {
            let share = Double(labels.filter { $0 == k }.count) / n
            let tolerance = 5 * (p * (1 - p) / n).squareRoot()
            XCTAssertEqual(share, p, accuracy: tolerance, "class \(k)", file: file, line: line)
        }
    }

    func testSumBinLabelsFollowFromStoredFeatures() {
        let data = DataGenerator.sumBin.generate(rows: rows, seed: 3)
        XCTAssertEqual(data.featureNames, ["x0", "x1"])
        XCTAssertEqual(data.classCount, 3)
        XCTAssertEqual(data.rowCount, rows)
        let y = labels(data)
        for r in 0..<rows {
            let x0 = Double(data.features[2 * r]), x1 = Double(data.features[2 * r + 1])
            XCTAssert((0...1).contains(x0) && (0...1).contains(x1))
            let s = x0 + x1
            XCTAssertEqual(y[r], s < 0.807 ? 0 : (s < 1.169 ? 1 : 2), "row \(r), sum \(s)")
        }
        // s = x0 + x1 is triangular on [0, 2]: P(s < a) = a²/2 for a ≤ 1, P(s ≥ b) = (2 − b)²/2 for b ≥ 1.
        let low = 0.807 * 0.807 / 2, high = (2 - 1.169) * (2 - 1.169) / 2
        assertBalance(y, expected: [low, 1 - low - high, high])
    }

    func testSumModLabelsFollowFromStoredFeatures() {
        let data = DataGenerator.sumMod.generate(rows: rows, seed: 3)
        let y = labels(data)
        for r in 0..<rows {
            let s = Double(data.features[2 * r]) + Double(data.features[2 * r + 1])
            XCTAssertEqual(y[r], Int32(Int((s * 100).rounded(.down)) % 3), "row \(r), sum \(s)")
        }
        // 200 strips of width 0.01 cycle through the classes; each gets about a third.
        assertBalance(y, expected: [1.0 / 3, 1.0 / 3, 1.0 / 3])
    }

    func testHeartRateLabelsAndDistribution() {
        let data = DataGenerator.heartRate.generate(rows: rows, seed: 3)
        XCTAssertEqual(data.featureNames, ["hr"])
        guard case .classes(let y, let names) = data.targets else { return XCTFail("expected classes") }
        XCTAssertEqual(names, ["0", "1"])
        XCTAssertEqual(y, data.features.map { $0 >= 91 ? 1 : 0 })
        let mean = data.features.reduce(0.0) { $0 + Double($1) } / Double(rows)
        // The sample mean of N(92, 12) has standard error 12/√n; allow 5 of them.
        XCTAssertEqual(mean, 92, accuracy: 5 * 12 / Double(rows).squareRoot())
        // P(hr ≥ 91) = Φ(1/12) ≈ 0.5332.
        assertBalance(y, expected: [0.4668, 0.5332])
    }

    func testSameSeedSameDataDifferentSeedDifferentData() {
        for generator in DataGenerator.allCases {
            let a = generator.generate(rows: 100, seed: 11), b = generator.generate(rows: 100, seed: 11)
            let c = generator.generate(rows: 100, seed: 12)
            XCTAssertEqual(a.features, b.features, generator.rawValue)
            XCTAssertEqual(a.targets, b.targets, generator.rawValue)
            XCTAssertNotEqual(a.features, c.features, generator.rawValue)
        }
    }

    func testNamesAndEmptyRequest() {
        XCTAssertEqual(DataGenerator.allCases.map(\.rawValue), ["sum_bin", "sum_mod", "heart_rate"])
        XCTAssertEqual(DataGenerator.sumMod.generate(rows: 0, seed: 1).rowCount, 0)
    }
}
