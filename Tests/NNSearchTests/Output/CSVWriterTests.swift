import XCTest
@testable import NNSearch

final class CSVWriterTests: XCTestCase {
    func testQuotesOnlyWhenNeeded() {
        XCTAssertEqual(csvField("plain"), "plain")
        XCTAssertEqual(csvField(""), "")
        XCTAssertEqual(csvField("a,b"), "\"a,b\"")
        XCTAssertEqual(csvField("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(csvField("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(csvField("cr\r"), "\"cr\r\"")
        XCTAssertEqual(csvField(" padded"), "\" padded\"")
        XCTAssertEqual(csvField("padded\t"), "\"padded\t\"")
        XCTAssertEqual(csvLine(["a", "b c", "1.5"]), "a,b c,1.5\n")
        XCTAssertEqual(csvLine([""]), "\"\"\n")
    }

    func testRoundTripThroughParser() throws {
        let rows: [[String]] = [
            ["name", "value", "note"],
            ["", "1", ""],
            ["a,b", "\"quoted\"", "multi\r\nline\nand\rcr"],
            [" lead", "trail ", "é ü 🙂"],
            [""],
            ["\"", ",", "\"\""],
        ]
        let text = rows.map(csvLine).joined()
        let records = try CSVParser.records(Array(text.utf8))
        XCTAssertEqual(records.map(\.fields), rows)
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 7, 8, 9])
    }
}
