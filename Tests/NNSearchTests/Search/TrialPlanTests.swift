import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

final class TrialPlanTests: XCTestCase {
    // MARK: - Grid

    func testGridEnumeratesCombinationsWithTheLastKeyFastest() throws {
        let plan = TrialPlan(spec: try spec(#""space": {"depth": [1, 2, 4], "epochs": 5, "width": [8, 16], "optimizer": ["sgd", "adam"]}"#))
        XCTAssertEqual(plan.columns, ["depth", "epochs", "width", "optimizer"])
        XCTAssertEqual(plan.count, 12)
        let trials = (0..<plan.count).map(plan.trial)
        XCTAssertEqual(trials.map { $0.values.joined(separator: " ") }, [
            "1 5 8 sgd", "1 5 8 adam", "1 5 16 sgd", "1 5 16 adam",
            "2 5 8 sgd", "2 5 8 adam", "2 5 16 sgd", "2 5 16 adam",
            "4 5 8 sgd", "4 5 8 adam", "4 5 16 sgd", "4 5 16 adam",
        ])
        XCTAssertEqual(trials.map(\.number), Array(0..<12))
        XCTAssertEqual(Set(trials.map(\.values)).count, 12)
        XCTAssertEqual(trials[11].hyperparameters.depth, 4)
        XCTAssertEqual(trials[11].hyperparameters.epochs, 5)
        XCTAssertEqual(trials[11].hyperparameters.width, 16)
        XCTAssertEqual(trials[11].hyperparameters.optimizer, .adam)
        XCTAssertEqual(trials[11].hyperparameters.lr, Hyperparameters().lr, "outside the space: the default")
    }

    func testGridTrialsCapTheCombinations() throws {
        let plan = TrialPlan(spec: try spec(#""trials": 3, "space": {"depth": [1, 2], "width": [8, 16, 32]}"#))
        XCTAssertEqual(plan.count, 3)
        XCTAssertEqual((0..<3).map { plan.trial($0).values }, [["1", "8"], ["1", "16"], ["1", "32"]])
        XCTAssertEqual(TrialPlan(spec: try spec(#""trials": 50, "space": {"depth": [1, 2]}"#)).count, 2)
    }

    func testGridWithoutSpaceIsOneDefaultTrial() throws {
        let plan = TrialPlan(spec: try spec(""))
        XCTAssertEqual(plan.count, 1)
        XCTAssertEqual(plan.columns, [])
        XCTAssertEqual(plan.trial(0).hyperparameters, Hyperparameters())
    }

    func testGridTrialIsDecodedNotEnumerated() throws {
        // Eight dimensions of ten values: 10^8 combinations, so trial n's digits are n's decimal digits.
        let lists: [(String, (Int) -> String)] = [
            ("depth", { "\($0)" }), ("width", { "\($0 + 1)" }), ("batch_size", { "\($0 + 1)" }), ("epochs", { "\($0 + 1)" }),
            ("lr", { "\($0 + 1)" }), ("momentum", { "0.\($0)" }), ("weight_decay", { "\($0)" }), ("dropout", { "0.0\($0)" }),
        ]
        let body = lists.map { name, value in "\"\(name)\": [" + (0..<10).map(value).joined(separator: ", ") + "]" }
        let plan = TrialPlan(spec: try spec(#""trials": 1000000000, "space": {"# + body.joined(separator: ", ") + "}"))
        XCTAssertEqual(plan.count, 100_000_000)
        XCTAssertEqual(plan.trial(12_345_678).values, ["1", "3", "4", "5", "6", "0.6", "7", "0.08"])
        XCTAssertEqual(plan.trial(99_999_999).values, ["9", "10", "10", "10", "10", "0.9", "9", "0.09"])
    }

    // MARK: - Random

    func testRandomDrawsFollowTheDocumentedStreams() throws {
        let spec = try self.spec(#""seed": 42, "trials": 10, "space": {"optimizer": ["sgd", "momentum", "adam"], "epochs": 3, "#
            + #""lr": {"log_uniform": [0.0001, 0.1]}, "dropout": {"uniform": [0.1, 0.5]}, "depth": {"int_uniform": [1, 4]}}"#)
        let plan = TrialPlan(spec: spec)
        XCTAssertEqual(plan.count, 10)
        for n in [0, 3, 9] {
            var random = Random(seed: 42, stream: UInt64(n), 1)
            let optimizer = ["sgd", "momentum", "adam"][random.next(below: 3)]
            let lr = exp(log(0.0001) + (log(0.1) - log(0.0001)) * random.nextDouble())
            let dropout = 0.1 + 0.4 * random.nextDouble()
            let depth = 1 + random.next(below: 4)
            var training = Random(seed: 42, stream: UInt64(n), 2)
            let trial = plan.trial(n)
            XCTAssertEqual(trial.values, [optimizer, "3", formatNumber(lr), formatNumber(dropout), String(depth)])
            XCTAssertEqual(trial.hyperparameters.lr, lr)
            XCTAssertEqual(trial.hyperparameters.dropout, dropout)
            XCTAssertEqual(trial.seed, training.next())
        }
    }

    func testRandomIsReproducibleAndDependsOnTheSeed() throws {
        let space = #""trials": 20, "space": {"lr": {"log_uniform": [0.0001, 0.1]}, "width": [8, 16, 32, 64]}"#
        let a = TrialPlan(spec: try spec(#""seed": 1, "# + space))
        let b = TrialPlan(spec: try spec(#""seed": 1, "# + space))
        let c = TrialPlan(spec: try spec(#""seed": 2, "# + space))
        let trialsA = (0..<20).map(a.trial)
        XCTAssertEqual(trialsA, (0..<20).map(b.trial))
        XCTAssertNotEqual(trialsA.map(\.values), (0..<20).map(c.trial).map(\.values))
        XCTAssertEqual(Set(trialsA.map(\.seed)).count, 20, "training seeds differ between trials")
    }

    func testTrialDependsOnlyOnItsNumber() throws {
        let plan = TrialPlan(spec: try spec(#""seed": 7, "trials": 100, "space": {"lr": {"uniform": [0.001, 0.1]}, "depth": [1, 2, 3]}"#))
        let alone = plan.trial(57)
        _ = (0..<100).reversed().map(plan.trial)
        XCTAssertEqual(plan.trial(57), alone)
        let grid = TrialPlan(spec: try spec(#""space": {"depth": [1, 2, 3], "width": [8, 16]}"#))
        let five = grid.trial(5)
        _ = (0..<6).map(grid.trial)
        XCTAssertEqual(grid.trial(5), five)
        XCTAssertEqual(five.seed, { var r = Random(seed: 0, stream: 5, 2); return r.next() }())
    }

    func testLogUniformStaysInBoundsAndSpreadsOverDecades() throws {
        let plan = TrialPlan(spec: try spec(#""trials": 2000, "space": {"lr": {"log_uniform": [0.0001, 0.1]}, "momentum": {"log_uniform": [0.5, 0.999999]}}"#))
        let lrs = (0..<plan.count).map { plan.trial($0).hyperparameters.lr }
        XCTAssertTrue(lrs.allSatisfy { $0 >= 0.0001 && $0 <= 0.1 }, "\(lrs.min() ?? 0) ... \(lrs.max() ?? 0)")
        // log10(lr) is uniform on [-4, -1]: each decade should get about a third of 2000 draws.
        for decade in [(0.0001, 0.001), (0.001, 0.01), (0.01, 0.1)] {
            let share = Double(lrs.filter { $0 >= decade.0 && $0 < decade.1 }.count) / Double(lrs.count)
            XCTAssertEqual(share, 1.0 / 3, accuracy: 0.05, "decade \(decade)")
        }
        XCTAssertTrue((0..<plan.count).allSatisfy { (0.5...0.999999).contains(plan.trial($0).hyperparameters.momentum) })
    }

    func testIntUniformIsInclusiveAndInBounds() throws {
        let plan = TrialPlan(spec: try spec(#""trials": 300, "space": {"depth": {"int_uniform": [2, 5]}, "width": {"int_uniform": [7, 7]}}"#))
        let depths = (0..<plan.count).map { plan.trial($0).hyperparameters.depth }
        XCTAssertEqual(Set(depths), [2, 3, 4, 5])
        XCTAssertTrue((0..<plan.count).allSatisfy { plan.trial($0).hyperparameters.width == 7 })
    }

    func testValuesUseTheCSVFormOfEachHyperparameter() throws {
        let plan = TrialPlan(spec: try spec(#""space": {"schedule": [{"step": 10, "gamma": 0.5}, "cosine"], "nesterov": true, "lr": [1e-3]}"#))
        XCTAssertEqual(plan.trial(0).values, ["step:10:0.5", "true", "0.001"])
        XCTAssertEqual(plan.trial(1).values, ["cosine", "true", "0.001"])
    }

    // MARK: - Helpers

    /// A parsed spec on `sum_bin` with extra top-level members (`"trials": 3, "space": {...}`).
    private func spec(_ members: String, file: StaticString = #filePath, line: UInt = #line) throws -> SearchSpec {
        let text = #"{"version": 1, "data": {"generator": "sum_bin"}"# + (members.isEmpty ? "" : ", " + members) + "}"
        do {
            return try SearchSpec.parse(try parseJSON(text, file: "t.json"), file: "t.json", baseDirectory: "/tmp")
        } catch {
            XCTFail("spec does not load: \(error)", file: file, line: line)
            throw error
        }
    }
}
