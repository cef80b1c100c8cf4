import XCTest
@testable import NNSearch
@testable import NNSearchKernel

final class FoldPlanTests: XCTestCase {
    /// `n` rows whose first feature is the row index and second a spread-out value; classes by `label`.
    private func indexed(_ n: Int, classes: Int, label: (Int) -> Int) -> Dataset {
        var features = [Float]()
        for i in 0..<n { features += [Float(i), Float((i * 37) % 101) * 0.5 + 3] }
        return Dataset(featureNames: ["i", "x"], features: features,
                       targets: .classes(labels: (0..<n).map { Int32(label($0)) }, names: (0..<classes).map(String.init)))
    }

    private func rowIndices(_ data: Dataset) -> [Int] {
        stride(from: 0, to: data.features.count, by: data.featureCount).map { Int(data.features[$0]) }
    }

    /// Skewed classes of sizes 7, 23, 50 and 121 (not multiples of the folds), rows interleaved.
    private let skewed: [Int32] = {
        var labels = [Int32]()
        for (c, count) in [7, 23, 50, 121].enumerated() { labels += [Int32](repeating: Int32(c), count: count) }
        var random = Random(seed: 99)
        return random.permutation(labels.count).map { labels[$0] }
    }()

    func testEveryRowValidatesExactlyOncePerRepeatAndTrainsInTheOtherFolds() {
        for (groups, folds, repeats) in [(skewed, 5, 3), (skewed, 2, 1), ([Int32](repeating: 0, count: 103), 7, 2), ([0, 1, 0, 1], 4, 1)] {
            let plan = FoldPlan(groups: groups, folds: folds, repeats: repeats, seed: 4)
            XCTAssertEqual(plan.rounds, folds * repeats)
            for r in 0..<repeats {
                var validated = [Int]()
                for k in 0..<folds {
                    let round = r * folds + k
                    let validation = plan.validationRows(round), training = plan.trainingRows(round)
                    XCTAssertEqual(validation, validation.sorted(), "file order")
                    XCTAssertEqual((validation + training).sorted(), Array(groups.indices), "round \(round): the two parts cover every row once")
                    validated += validation
                }
                XCTAssertEqual(validated.sorted(), Array(groups.indices), "repeat \(r): every row validates exactly once")
                // Folds hold ⌊n/K⌋ or ⌈n/K⌉ rows.
                let sizes = (0..<folds).map { plan.validationRows(r * folds + $0).count }
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "fold sizes \(sizes)")
            }
        }
    }

    /// Like StratifiedKFold: each class is spread over the folds within one row.
    func testStratifiedWithinOneRowPerClassPerFold() {
        for folds in [2, 3, 5, 10, 20] {
            let plan = FoldPlan(groups: skewed, folds: folds, repeats: 2, seed: 11)
            for r in 0..<2 {
                for c in Int32(0)...3 {
                    let perFold = (0..<folds).map { k in plan.validationRows(r * folds + k).filter { skewed[$0] == c }.count }
                    let total = skewed.filter { $0 == c }.count
                    XCTAssertEqual(perFold.reduce(0, +), total)
                    XCTAssertLessThanOrEqual(perFold.max()! - perFold.min()!, 1, "class \(c), \(folds) folds: \(perFold)")
                }
            }
        }
    }

    func testSeededTheSameForEveryTrialAndRepeatsReshuffle() {
        let a = FoldPlan(groups: skewed, folds: 5, repeats: 3, seed: 8)
        XCTAssertEqual(a, FoldPlan(groups: skewed, folds: 5, repeats: 3, seed: 8), "a pure function of the rows, K, R and the seed")
        XCTAssertNotEqual(a.assignment[0], FoldPlan(groups: skewed, folds: 5, repeats: 3, seed: 9).assignment[0], "another seed, other folds")
        XCTAssertNotEqual(a.assignment[0], a.assignment[1], "repeat 1 reshuffles")
        XCTAssertNotEqual(a.assignment[1], a.assignment[2], "repeat 2 reshuffles")
        XCTAssertEqual(a.assignment[0], FoldPlan(groups: skewed, folds: 5, repeats: 1, seed: 8).assignment[0],
                       "repeat r has its own stream: adding repeats leaves the first alone")
        // Not the file order: the folds are shuffled.
        XCTAssertNotEqual(a.validationRows(0), Array(0..<a.validationRows(0).count))
    }

    /// Each round's standardization statistics come from its training part only: its training
    /// features have mean 0 and standard deviation 1, and its fold is scaled by the same statistics.
    func testPerFoldStandardizationUsesTheTrainingPartOnly() throws {
        let data = indexed(250, classes: 2) { ($0 * 7) % 3 == 0 ? 1 : 0 }
        let plan = FoldPlan(groups: (0..<250).map { Int32(($0 * 7) % 3 == 0 ? 1 : 0) }, folds: 5, repeats: 2, seed: 3)
        var means = Set<Double>()
        for round in 0..<plan.rounds {
            let split = try DataSplit(data, folds: plan, round: round)
            XCTAssertEqual(rowIndices(split.train), plan.trainingRows(round))
            XCTAssertEqual(rowIndices(split.validation), plan.validationRows(round))
            let scaled = split.standardized()
            for c in 0..<2 {
                // By hand, from the raw training rows of this round.
                let raw = plan.trainingRows(round).map { Double(data.features[$0 * 2 + c]) }
                let mean = raw.reduce(0, +) / Double(raw.count)
                let std = (raw.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(raw.count)).squareRoot()
                if c == 0 { means.insert(mean) }
                let train = stride(from: c, to: scaled.train.features.count, by: 2).map { Double(scaled.train.features[$0]) }
                XCTAssertEqual(train.reduce(0, +) / Double(train.count), 0, accuracy: 1e-5)
                XCTAssertEqual((train.map { $0 * $0 }.reduce(0, +) / Double(train.count)).squareRoot(), 1, accuracy: 1e-5)
                for (i, row) in plan.validationRows(round).enumerated() {
                    let expected = (Double(data.features[row * 2 + c]) - mean) / std
                    XCTAssertEqual(Double(scaled.validation.features[i * 2 + c]), expected, accuracy: 1e-5 * max(1, abs(expected)))
                }
            }
        }
        XCTAssertGreaterThan(means.count, 1, "the rounds' statistics differ: each is its own training part's")
    }

    /// `SearchData` lays a round out as `DataSplit` does, and its chance level is the rounds' mean.
    func testSearchDataRoundsAndChance() throws {
        let spec = try SearchSpec.parse(try parseJSON(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 300, "seed": 2}, "validation": {"folds": 3, "repeats": 2}}"#, file: "t"),
                                        file: "t.json", baseDirectory: "/")
        let data = try SearchData(spec: spec)
        XCTAssertEqual(data.rounds, 6)
        var levels = [ChanceLevel]()
        for round in 0..<6 {
            let raw = data.data(for: .none, round: round), scaled = data.data(for: .standardize, round: round)
            XCTAssertEqual(raw.train.rows + raw.validation.rows, 300)
            XCTAssertEqual(scaled.train.rows, raw.train.rows)
            XCTAssertEqual(raw.validation.rows, 100)
            XCTAssertNotEqual(raw.train.features, scaled.train.features)
            levels.append(raw.chance)
        }
        XCTAssertEqual(data.chance.valLoss, levels.map(\.valLoss).reduce(0, +) / 6, accuracy: 1e-12)
        XCTAssertEqual(data.chance.trainMetric, levels.map(\.trainMetric).reduce(0, +) / 6, accuracy: 1e-12)
        XCTAssertEqual(data.chance.validationRows, 300, "every row validates once per repeat")
    }

    func testTooFewRowsOrASingleClassTrainingPartIsADataError() throws {
        func data(_ json: String) throws -> SearchData {
            try SearchData(spec: try SearchSpec.parse(try parseJSON(json, file: "t"), file: "t.json", baseDirectory: "/"))
        }
        XCTAssertThrowsError(try data(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 4}, "validation": {"folds": 5}}"#)) { error in
            XCTAssertEqual((error as? NNSearchError)?.exitCode, 65)
            XCTAssertEqual((error as? NNSearchError)?.message, "cross-validation: 4 rows cannot make 5 folds (each needs a row at least)")
        }
        // One row of class 1 among 0s: the fold holding it trains on class 0 alone.
        let rare = indexed(10, classes: 2) { $0 == 3 ? 1 : 0 }
        let plan = FoldPlan(groups: (0..<10).map { $0 == 3 ? 1 : 0 }, folds: 2, repeats: 1, seed: 0)
        let round = plan.validationRows(0).contains(3) ? 0 : 1
        XCTAssertThrowsError(try DataSplit(rare, folds: plan, round: round)) { error in
            XCTAssertEqual((error as? NNSearchError)?.exitCode, 65)
            XCTAssertEqual((error as? NNSearchError)?.message,
                           "cross-validation: the training rows of fold \(round + 1) (5 rows) have a single class \"0\"; it needs at least 2 (use fewer folds, or more rows of the other classes)")
        }
    }
}
