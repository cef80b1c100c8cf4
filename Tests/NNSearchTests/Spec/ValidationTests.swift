import XCTest
@testable import NNSearch

final class ValidationTests: XCTestCase {
    /// Where a trial is, from its epochs across rounds (what `status` and `watch` print).
    func testPositionFromEpochsAcrossRounds() {
        let five = CrossValidation(folds: 5)
        XCTAssertEqual(five.position(epoch: 0, of: 100), "fold 1/5")
        XCTAssertEqual(five.position(epoch: 19, of: 100), "fold 1/5")
        XCTAssertEqual(five.position(epoch: 20, of: 100), "fold 2/5", "fold 1 done: fold 2 at its epoch 0")
        XCTAssertEqual(five.position(epoch: 37, of: 100), "fold 2/5")
        XCTAssertEqual(five.position(epoch: 100, of: 100), "fold 5/5", "finished: the last fold")
        let repeated = CrossValidation(folds: 4, repeats: 2)
        XCTAssertEqual(repeated.rounds, 8)
        XCTAssertEqual(repeated.position(round: 5), "fold 2/4, repeat 2/2")
        XCTAssertEqual(repeated.position(epoch: 23, of: 40), "fold 1/4, repeat 2/2")
        XCTAssertEqual(Validation.folds(repeated).rounds, 8)
        XCTAssertEqual(Validation.holdout(0.2).rounds, 1)
        XCTAssertNil(Validation.holdout(0.2).crossValidation)
        XCTAssertEqual(Validation.folds(repeated).jsonText, #"{"folds": 4, "repeats": 2}"#)
        XCTAssertEqual(Validation.folds(five).jsonText, #"{"folds": 5}"#)
        XCTAssertEqual(Validation.holdout(0.25).jsonText, "0.25")
    }
}
