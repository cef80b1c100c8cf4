import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The one ranking of finished trials: metric, then validation loss, then trial number.
final class TrialRankTests: XCTestCase {
    func testMetricTiesGoToTheLowerValidationLossThenTheTrialNumber() {
        let deadUnits = TrialRank(metric: 0.5, valLoss: 3.25, trial: 0)   // lr=50: dead units, same accuracy
        let learned = TrialRank(metric: 0.5, valLoss: 0.69, trial: 1)
        XCTAssertTrue(learned.precedes(deadUnits, maximize: true))
        XCTAssertFalse(deadUnits.precedes(learned, maximize: true))
        let twin = TrialRank(metric: 0.5, valLoss: 0.69, trial: 2)
        XCTAssertTrue(learned.precedes(twin, maximize: true), "then by trial number")
        XCTAssertTrue(TrialRank(metric: 0.6, valLoss: 9, trial: 5).precedes(learned, maximize: true), "the metric first")
        let unknownLoss = TrialRank(metric: 0.5, valLoss: .nan, trial: 0)
        XCTAssertTrue(learned.precedes(unknownLoss, maximize: true), "an unknown loss wins no tie")
        let diverged = TrialRank(metric: .nan, valLoss: .nan, trial: 0)
        XCTAssertTrue(deadUnits.precedes(diverged, maximize: true), "trials that did not complete come last")
        XCTAssertTrue(diverged.precedes(TrialRank(metric: .nan, valLoss: 0.1, trial: 3), maximize: true), "among them, by trial number")
        // The metric is val_loss itself: a tie is equal losses, so the trial number decides.
        XCTAssertTrue(TrialRank(metric: 0.3, valLoss: 0.3, trial: 4).precedes(TrialRank(metric: 0.3, valLoss: 0.3, trial: 7), maximize: false))
        XCTAssertTrue(TrialRank(metric: 0.2, valLoss: 0.2, trial: 9).precedes(TrialRank(metric: 0.3, valLoss: 0.3, trial: 1), maximize: false))
    }

    func testTheLeaderboardAndTheRowsValidationLossAgree() {
        let columns = ResultColumns(space: ["lr"], task: .classification, metric: .valAccuracy, chance: nil)
        var board = Leaderboard(columns: columns)
        let rows: [(Int, String, Double)] = [
            (0, "50", 3.25), (1, "0.01", 0.69), (2, "0.1", 0.7), (3, "1", 0.69),
        ]
        for (trial, lr, loss) in rows {
            let fields = [String(trial), "completed", "ok", lr, "5", "0.5", formatNumber(loss), "0.5", "0.5", "0.1"]
            XCTAssertEqual(ResultColumns.valLoss(inRow: csvLine(fields).trimmingCharacters(in: .newlines)), loss)
            board.insert(trial: trial, metricValue: 0.5, valLoss: loss, fields: fields)
        }
        let order = String(decoding: board.text(), as: UTF8.self).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",")[1] }
        XCTAssertEqual(order, ["1", "3", "2", "0"])
        XCTAssertEqual(board.best?.trial, 1)
        XCTAssertTrue(ResultColumns.valLoss(inRow: "garbage").isNaN)
    }

    /// Cross-validated rows carry the folds' two standard deviations after the metric: the
    /// validation loss is found where the header puts it, and a state replaying them ranks by it.
    func testACrossValidatedRowsValidationLossIsFoundPastTheStandardDeviations() {
        let columns = ResultColumns(space: ["lr"], task: .classification, metric: .valAccuracy, chance: nil, crossValidated: true)
        let fields = ["3", "completed", "ok", "0.1", "5", "0.4", "0.75", "0.8", "0.5", "0.02", "0.03", "0.1"]
        XCTAssertEqual(fields.count, columns.header.count)
        let row = csvLine(fields).trimmingCharacters(in: .newlines)
        XCTAssertEqual(columns.header[6], "val_loss")
        XCTAssertEqual(ResultColumns.valLoss(inRow: row, fieldsAfterValLoss: ResultColumns.fieldsAfterValLoss(crossValidated: true)), 0.75)
        var state = SearchState(trialCount: 5, crossValidated: true)
        state.apply(.finish(trial: 3, process: "p", time: 1, metric: 0.5, row: row), at: 0)
        XCTAssertEqual(state.finished[3]?.valLoss, 0.75)
    }
}
