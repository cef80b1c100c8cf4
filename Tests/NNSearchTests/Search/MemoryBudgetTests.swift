import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The up-front memory check: the largest configuration of a space, the estimate against a
/// budget, and what the message says would fit.
final class MemoryBudgetTests: XCTestCase {
    private func spec(_ space: String, extra: String = "") throws -> SearchSpec {
        let text = #"{"version": 1, "data": {"generator": "sum_bin"}, "strategy": "random", "trials": 50, "# + extra + #""space": "# + space + "}"
        return try SearchSpec.parse(try parseJSON(text, file: "s.json"), file: "s.json", baseDirectory: "/tmp")
    }

    private let shape = DataShape(features: 2, outputs: 3, trainRows: 1600, loadBytes: 0)

    func testTheLargestConfigurationTakesEachKeysCostliestValue() throws {
        let s = try spec(#"{"depth": [1, 4, 2], "width": {"int_uniform": [8, 512]}, "optimizer": ["sgd", "momentum"],"#
            + #" "dropout": {"uniform": [0, 0.5]}, "normalize": ["none", "batchnorm"], "batch_size": [16, 64], "lr": [0.1, 0.2]}"#)
        let h = s.largestConfiguration(shape)
        XCTAssertEqual(h.depth, 4)
        XCTAssertEqual(h.width, 512)
        XCTAssertEqual(h.optimizer, .momentum)
        XCTAssertEqual(h.dropout, 0.5)
        XCTAssertEqual(h.normalize, .batchnorm)
        XCTAssertEqual(h.batchSize, 64)
        let defaults = try spec("{}").largestConfiguration(shape)
        XCTAssertEqual(defaults, Hyperparameters(), "nothing in the space: the defaults")
    }

    func testASpaceThatFitsPassesAndOneThatDoesNotSaysWhatFits() throws {
        let s = try spec(#"{"depth": [1, 3], "width": [64, 4096], "optimizer": "adam"}"#, extra: #""workers": 2, "#)
        let largest = s.largestConfiguration(shape)
        let perTrial = TrialMemory(hyperparameters: largest, featureCount: 2, outputs: 3, trainRows: 1600).total
        XCTAssertNoThrow(try s.checkMemory(shape: shape, workers: 2, budget: MemoryBudget(bytes: 2 * perTrial, statement: "test")))
        XCTAssertNoThrow(try s.checkMemory(shape: shape, workers: 2, budget: nil), "no bound known: no check")
        let budget = MemoryBudget(bytes: 2 * perTrial - 1, statement: "only a little is available (test)")
        XCTAssertThrowsError(try s.checkMemory(shape: shape, workers: 2, budget: budget)) { error in
            guard let error = error as? NNSearchError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.exitCode, 64)
            for part in ["s.json: space: the largest configuration (depth 3, width 4096, batch_size 32, optimizer adam) needs about",
                         "per trial (", "× 2 workers =", "but only a little is available (test); what fits: width ≤ ",
                         "(at depth 3), or depth ≤ 2 (at width 4096), or \"workers\": 1 (or --workers 1)"] {
                XCTAssertTrue(error.message.contains(part), "lacks \(part): \(error.message)")
            }
            // The width it names fits, and one more does not.
            let named = error.message.components(separatedBy: "width ≤ ")[1].prefix { $0.isNumber }
            var h = largest
            h.width = Int(named)!
            let need = { TrialMemory(hyperparameters: h, featureCount: 2, outputs: 3, trainRows: 1600).total * 2 }
            XCTAssertLessThanOrEqual(need(), budget.bytes)
            h.width += 1
            XCTAssertGreaterThan(need(), budget.bytes)
        }
    }

    /// A worker trains as many trials side by side (lockstep) as fit where the check counts one of
    /// the largest configuration per worker; all lanes when the budget is unknown; never fewer than one.
    func testLockstepGroupsAreAsLargeAsTheBudgetAllows() throws {
        let s = try spec(#"{"depth": 1, "width": [2, 8], "batch_size": 1, "optimizer": "momentum"}"#)
        let perTrial = TrialMemory(hyperparameters: s.largestConfiguration(shape), featureCount: 2, outputs: 3, trainRows: 1600).total
        func lanes(_ bytes: Int?, workers: Int = 2, load: Int = 0) -> Int {
            var shape = self.shape
            shape.loadBytes = load
            return s.lockstepLanes(8, shape: shape, workers: workers, budget: bytes.map { MemoryBudget(bytes: $0, statement: "test") })
        }
        XCTAssertEqual(lanes(nil), 8, "no bound known: every lane")
        XCTAssertEqual(lanes(2 * perTrial), 1, "what the check lets two workers hold: one trial each")
        XCTAssertEqual(lanes(6 * perTrial), 3)
        XCTAssertEqual(lanes(6 * perTrial - 1), 2)
        XCTAssertEqual(lanes(6 * perTrial + 500, load: 500), 3, "the data's load counts once")
        XCTAssertEqual(lanes(6 * perTrial, workers: 1), 6)
        XCTAssertEqual(lanes(100 * perTrial), 8, "never more than the lanes")
        XCTAssertEqual(lanes(perTrial / 2), 1, "never fewer than one")
    }

    /// With cross-validation each trial in flight lays out its round's rows: counted per worker.
    func testCrossValidationCountsEachTrialsFoldRows() throws {
        let text = #"{"version": 1, "data": {"generator": "sum_bin", "rows": 2000}, "validation": {"folds": 5}, "strategy": "random", "trials": 4, "space": {"width": 64, "lr": {"log_uniform": [0.001, 0.1]}}}"#
        let s = try SearchSpec.parse(try parseJSON(text, file: "cv.json"), file: "cv.json", baseDirectory: "/tmp")
        let cvShape = DataShape(try SearchData(spec: s))
        XCTAssertEqual(cvShape.perTrialBytes, DataShape.roundBytes(rows: 2000, features: 2), "a round holds every row once")
        XCTAssertEqual(DataShape(try SearchData(spec: try spec(#"{"width": 64}"#))).perTrialBytes, 0, "one shared split")
        let perTrial = TrialMemory(hyperparameters: s.largestConfiguration(cvShape), featureCount: cvShape.features,
                                   outputs: cvShape.outputs, trainRows: cvShape.trainRows).total
        XCTAssertNoThrow(try s.checkMemory(shape: cvShape, workers: 2,
                                           budget: MemoryBudget(bytes: 2 * (perTrial + cvShape.perTrialBytes), statement: "test")))
        XCTAssertThrowsError(try s.checkMemory(shape: cvShape, workers: 2,
                                               budget: MemoryBudget(bytes: 2 * (perTrial + cvShape.perTrialBytes) - 1, statement: "test"))) {
            XCTAssertTrue("\($0)".contains("its fold's rows"), "\($0)")
        }
    }

    func testWorkersBeyondTheTrialsDoNotCount() throws {
        let grid = try SearchSpec.parse(try parseJSON(#"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"width": 2048}}"#,
                                                      file: "g.json"), file: "g.json", baseDirectory: "/tmp")
        let one = TrialMemory(hyperparameters: grid.largestConfiguration(shape), featureCount: 2, outputs: 3, trainRows: 1600).total
        XCTAssertNoThrow(try grid.checkMemory(shape: shape, workers: 8, budget: MemoryBudget(bytes: one, statement: "test")),
                         "a one-trial grid trains one trial at a time, whatever the workers")
    }

    func testSizesForPeople() {
        XCTAssertEqual(formatBytes(512), "512 bytes")
        XCTAssertEqual(formatBytes(17_400_000), "17.4 MB")
        XCTAssertEqual(formatBytes(414_000_000_000), "414 GB")
        XCTAssertEqual(formatBytes(999_600), "1 MB")
        XCTAssertEqual(parseMemorySize("1.5 GiB"), 1_610_612_736)
        XCTAssertNil(parseMemorySize("GB"))
        XCTAssertNil(parseMemorySize("1 parsec"))
    }
}
