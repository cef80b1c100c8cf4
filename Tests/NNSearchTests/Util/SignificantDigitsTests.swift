import XCTest
@testable import NNSearch

final class SignificantDigitsTests: XCTestCase {
    func testRoundsToSignificantDigits() {
        XCTAssertEqual(formatSignificant(0.000467410272700156, digits: 4), "0.0004674")
        XCTAssertEqual(formatSignificant(98.765, digits: 3), "98.8")
        XCTAssertEqual(formatSignificant(-1234.5, digits: 2), "-1200")
        XCTAssertEqual(formatSignificant(0, digits: 3), "0")
        XCTAssertTrue(roundedToSignificant(.nan, digits: 3).isNaN)
        XCTAssertEqual(roundedToSignificant(.infinity, digits: 3), .infinity)
    }

    func testShortensOnlyLongNumbers() {
        XCTAssertEqual(shortenNumber("0.005947787827455717"), "0.005948")
        XCTAssertEqual(shortenNumber("0.01"), "0.01")
        XCTAssertEqual(shortenNumber("standardize"), "standardize")
        XCTAssertEqual(shortenNumber("step:10:0.5"), "step:10:0.5")
    }
}
