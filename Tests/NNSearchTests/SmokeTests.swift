import XCTest
@testable import NNSearch

final class SmokeTests: XCTestCase {
    func testRandomIsDeterministic() {
        var a = Random(seed: 1), b = Random(seed: 1)
        XCTAssertEqual(a.next(), b.next())
    }
}
