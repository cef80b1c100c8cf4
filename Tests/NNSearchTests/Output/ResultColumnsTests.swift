import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The result columns' names: one name per column, and rows read back by position whatever the header.
final class ResultColumnsTests: XCTestCase {
    private func plan(_ space: String) throws -> TrialPlan {
        TrialPlan(spec: try SearchSpec.parse(try parseJSON(#"{"version": 1, "data": {"generator": "sum_bin"}, "space": "# + space + "}", file: "t"),
                                             file: "t.json", baseDirectory: "/"))
    }

    func testEpochsRunIsNamedSoWhenEpochsIsInTheSpace() throws {
        let plain = ResultColumns(space: ["lr"], task: .classification, metric: .valAccuracy, chance: nil)
        XCTAssertEqual(plain.header, ["trial", "status", "diagnosis", "lr", "epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "seconds"])
        let searched = ResultColumns(space: ["epochs", "lr"], task: .regression, metric: .valR2, chance: nil)
        XCTAssertEqual(searched.header, ["trial", "status", "diagnosis", "epochs", "lr", "epochs_run", "train_loss", "val_loss", "train_r2", "val_r2", "seconds"])
        XCTAssertEqual(Set(searched.header).count, searched.header.count, "no two columns share a name")
    }

    func testARowReadsTheSameUnderTheOldAndTheNewHeader() throws {
        // Rows are positional: a folder written when the second column was also called `epochs` reads the same.
        let plan = try self.plan(#"{"epochs": [3, 6], "lr": [0.1]}"#)
        let columns = ResultColumns(space: ["epochs", "lr"], task: .classification, metric: .valAccuracy, chance: nil)
        let outcome = try XCTUnwrap(columns.outcome(row: "1,pruned,ok,6,0.1,3,0.5,0.25,0.75,0.875,1.5", plan: plan, time: 0))
        XCTAssertEqual(outcome.values, ["6", "0.1"])
        XCTAssertEqual(outcome.epochs, 3, "the epochs run, not the configured 6")
        XCTAssertEqual(outcome.valMetric, 0.875)
        XCTAssertEqual(outcome.status, .pruned)
    }
}
