import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

final class CSVDatasetTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("nnsearch-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    // MARK: - Helpers

    /// Writes `text` (bytes as given) to a file named `name` in the test directory and returns its path.
    private func write(_ text: String, name: String = "data.csv") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func load(_ text: String, target: String = "y", classification: Bool? = nil) throws -> Dataset {
        try loadCSVDataset(path: try write(text), target: target, classification: classification)
    }

    /// Asserts loading `text` fails with a data error (exit 65) whose message contains every part.
    private func assertDataError(_ text: String, target: String = "y", classification: Bool? = nil,
                                 _ parts: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(text)
        assertDataError(path: path, target: target, classification: classification,
                        ["data.csv"] + parts, file: file, line: line)
    }

    private func assertDataError(path: String, target: String = "y", classification: Bool? = nil,
                                 _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        do {
            let data = try loadCSVDataset(path: path, target: target, classification: classification)
            XCTFail("expected an error, loaded \(data.rowCount) rows", file: file, line: line)
        } catch let error as NNSearchError {
            XCTAssertEqual(error.kind, .data, file: file, line: line)
            XCTAssertEqual(error.exitCode, 65, file: file, line: line)
            for part in parts where !error.message.contains(part) {
                XCTFail("message lacks \"\(part)\": \(error.message)", file: file, line: line)
            }
        } catch {
            XCTFail("expected NNSearchError, got \(error)", file: file, line: line)
        }
    }

    private func assertClasses(_ data: Dataset, labels: [Int32], names: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(data.targets, .classes(labels: labels, names: names), file: file, line: line)
    }

    // MARK: - Good files

    func testNumericFeaturesAndIntegerClasses() throws {
        let data = try load("a,y,b\n1,2,-0.5\n+2 , 0,1e-3\n3,1, 4.\n")
        XCTAssertEqual(data.featureNames, ["a", "b"])
        XCTAssertEqual(data.features, [1, -0.5, 2, 1e-3, 3, 4])
        assertClasses(data, labels: [2, 0, 1], names: ["0", "1", "2"])
    }

    func testNumericClassesSortNumericallyAndKeepFirstSpelling() throws {
        let data = try load("x,y\n1,10\n2,9\n3,10.0\n4,-1\n", classification: true)
        assertClasses(data, labels: [2, 1, 2, 0], names: ["-1", "9", "10"])
    }

    func testStringClassesSortByBytes() throws {
        let data = try load("x,y\n1,dog\n2,cat\n3,Dog\n4,cat\n5,7\n")
        assertClasses(data, labels: [3, 2, 1, 2, 0], names: ["7", "Dog", "cat", "dog"])
    }

    func testQuotedFieldsCRLFAndBOM() throws {
        let text = "\u{FEFF}\"x, one\",\"y\"\r\n\"1.5\",\"a \"\"b\"\"\"\r\n2,\"line\r\nbreak\"\r\n3,\"a \"\"b\"\"\""
        let data = try load(text)
        XCTAssertEqual(data.featureNames, ["x, one"])
        XCTAssertEqual(data.features, [1.5, 2, 3])
        assertClasses(data, labels: [0, 1, 0], names: ["a \"b\"", "line\r\nbreak"])
    }

    func testBlankLinesAreSkipped() throws {
        let data = try load("x,y\n\n1,0\n\n\n2,1\n\n")
        XCTAssertEqual(data.rowCount, 2)
    }

    func testInfersRegressionForFractionalOrManyValues() throws {
        let fractional = try load("x,y\n1,0.5\n2,1.5\n3,0.5\n")
        XCTAssertEqual(fractional.targets, .values([0.5, 1.5, 0.5]))
        let many = (0...20).map { "\($0),\($0)\n" }.joined()
        guard case .values(let values) = try load("x,y\n" + many).targets else {
            return XCTFail("21 distinct integers should infer regression")
        }
        XCTAssertEqual(values, (0...20).map(Float.init))
        let twenty = (0..<20).map { "\($0),\($0)\n" }.joined()
        XCTAssertEqual(try load("x,y\n" + twenty).classCount, 20)
    }

    func testExplicitRegressionOfIntegers() throws {
        XCTAssertEqual(try load("x,y\n1,0\n2,1\n", classification: false).targets, .values([0, 1]))
    }

    // MARK: - Bad files

    func testMissingFileAndDirectory() throws {
        assertDataError(path: directory.appendingPathComponent("nope.csv").path, ["nope.csv", "no such file"])
        assertDataError(path: directory.path, ["is a directory"])
    }

    func testEmptyFileHasNoHeader() throws {
        try assertDataError("", ["empty", "header"])
        try assertDataError("\u{FEFF}\n\n", ["empty", "header"])
    }

    func testHeaderProblems() throws {
        try assertDataError("x,y,x\n1,2,3\n", ["data.csv:1:5:", "duplicate column name \"x\"", "column 1"])
        try assertDataError(",x,y\n0,1,2\n", ["data.csv:1:1:", "column 1 has no name"])
        try assertDataError("y\n1\n2\n", ["no feature columns", "\"y\""])
    }

    func testUnknownTargetSuggestsAndListsColumns() throws {
        try assertDataError("x,label\n1,0\n", target: "lable", ["no column named \"lable\"", "did you mean \"label\"", "\"x\", \"label\""])
        try assertDataError("x,label\n1,0\n", target: "zzzzzz", ["no column named \"zzzzzz\"", "\"x\", \"label\""])
    }

    func testInvisibleCharactersInColumnNamesAreSpeltOut() throws {
        try assertDataError("x,y\u{A0}\n1,0\n", ["no column named \"y\" (did you mean \"y\\u{A0}\"?)", "\"x\", \"y\\u{A0}\""])
        try assertDataError("x,\u{200B}y\n1,0\n", ["(did you mean \"\\u{200B}y\"?)"])
    }

    func testHeaderOnly() throws {
        try assertDataError("x,y\n", ["header only", "no data rows"])
        try assertDataError("x,y", ["header only", "no data rows"])
    }

    func testRaggedRows() throws {
        try assertDataError("x,y\n1,0\n2,1,7\n", ["data.csv:3:5:", "3 fields, expected 2"])
        try assertDataError("x,y,z\n1,0,1\n2,1\n", ["data.csv:3:4:", "2 fields, expected 3"])
    }

    func testBadFeatureCells() throws {
        // A text cell among more numbers is a typo or an unusual mark for "missing", not a category.
        try assertDataError("x,y\n1,0\n2,1\nabc,1\n", ["data.csv:4:1:", "column \"x\"", "\"abc\" is not a number, though 2 other cells",
                                                         "\"missing\": [\"abc\"]"])
        try assertDataError("x,y\n1,0\n3,1\n0x10,1\n", ["data.csv:4:1:", "\"0x10\" is not a number"])
        try assertDataError("y,x\n0,-inf\n1,2\n", ["data.csv:2:3:", "\"-inf\" is not a finite number"])
        try assertDataError("y,x\n0,1e999\n1,2\n", ["data.csv:2:3:", "\"1e999\" is not a finite number"])
        try assertDataError("y,x\n0,1e300\n1,2\n", ["data.csv:2:3:", "\"1e300\" is too large"])
    }

    func testColumnsCountScalarsAndSkipBOM() throws {
        try assertDataError("\u{FEFF}é,y\n1,0\n2,1\n\"ü\",0\n", ["data.csv:4:1:", "column \"é\"", "\"ü\" is not a number"])
        try assertDataError("y,x\n\"é\",1\n\"é\",2\n\"é\",bad\n", ["data.csv:4:5:", "\"bad\""])
    }

    func testBadTargets() throws {
        try assertDataError("x,y\n1,0\n2,\n", ["data.csv:3:3:", "target column \"y\" is empty", "remove such rows"])
        try assertDataError("x,y\n1,0\n2,NA\n3,1\n4,null\n", ["data.csv:3:3:", "target column \"y\" is missing (\"NA\") (and on 1 more row)"])
        try assertDataError("x,y\n1,0.5\n2,cat\n", classification: false,
                            ["data.csv:3:3:", "target column \"y\"", "\"cat\" is not a number", "regression"])
        try assertDataError("x,y\n1,0.5\n2,inf\n", ["data.csv:3:3:", "\"inf\" is not a finite number"])
        try assertDataError("x,y\n1,0.5\n2,nan\n", ["data.csv:3:3:", "is missing (\"nan\")"])
        try assertDataError("x,y\n1,cat\n2,cat\n", ["single class \"cat\"", "\"y\""])
        try assertDataError("x,y\n1,1\n2,1.0\n", classification: true, ["single class \"1\""])
    }

    func testMalformedQuoting() throws {
        try assertDataError("x,y\n1,\"a\"b\n", ["data.csv:2:6:", "after the closing quote"])
        try assertDataError("x,y\n1,0\n2,\"open\n3,1\n", ["data.csv:3:3:", "unterminated"])
        try assertDataError("x,y\n1,a\"b\n", ["data.csv:2:4:", "quote inside an unquoted field"])
        try assertDataError("y,x\n\"multi\nline\",0\n1,\"a\"b\n", ["data.csv:4:6:"])
    }

    /// The fast decimal reader gives exactly the Double the standard library's reader gives.
    func testDecimalReaderMatchesTheStandardLibrary() {
        var random = Random(seed: 11)
        var texts = ["0", "-0", "+0.0", "1", "0.1", "0.3", "123456789012345", "1234567890123456", "0.000000000000000001",
                     "9007199254740993", "1e22", "1e23", "1e-22", "1e-23", "4.9e-324", "1.7976931348623157e308", "2.5e-5",
                     "-3.14159", "00012.5000", ".5", "5.", "1E+3", "7e-0", "123.456e-7", "0.1e23", "100000000000000000000000e-1"]
        for _ in 0..<20_000 {
            let digits = (0..<(1 + random.next(below: 19))).map { _ in String(random.next(below: 10)) }.joined()
            let point = random.next(below: digits.count + 1)
            var text = (random.next(below: 3) == 0 ? "-" : "") + digits.prefix(point) + "." + digits.dropFirst(point)
            if random.next(below: 2) == 0 { text += "e" + (random.next(below: 2) == 0 ? "-" : "") + String(random.next(below: 40)) }
            texts.append(text)
        }
        for text in texts {
            let fast = Array(text.utf8).withUnsafeBufferPointer { parseDecimal($0) }
            let reference = Double(text)
            XCTAssertEqual(fast?.bitPattern, reference?.bitPattern, "\(text): \(String(describing: fast)) vs \(String(describing: reference))")
        }
    }

    /// A UTF-16 or UTF-32 file, a compressed one, a workbook, /dev/null: each says what it is.
    func testFilesThatAreNotUTF8CSVSayWhatTheyAre() throws {
        let text = "a,y\n1,0\n2,1\n"
        let cases: [([UInt8], [String])] = [
            ([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, ["UTF-16", "little-endian", "FF FE", "save it as UTF-8"]),
            ([0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, ["UTF-16", "big-endian", "FE FF"]),
            (text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, ["UTF-16", "without a byte order mark", "iconv -f UTF-16LE"]),
            ([0xFF, 0xFE, 0, 0] + text.unicodeScalars.flatMap { [UInt8($0.value), 0, 0, 0] }, ["UTF-32"]),
            ([0x1F, 0x8B, 8, 0, 0, 0], ["gzip"]),
            ([0x50, 0x4B, 3, 4, 20, 0], ["ZIP", "xlsx"]),
        ]
        for (bytes, parts) in cases {
            let url = directory.appendingPathComponent("enc.csv")
            try Data(bytes).write(to: url)
            assertDataError(path: url.path, ["enc.csv"] + parts)
        }
        assertDataError(path: "/dev/null", ["/dev/null", "is a character device, not a CSV file"])
    }

    func testNeverCrashesOnArbitraryBytes() throws {
        var random = Random(seed: 7)
        let alphabet = Array("0123456789.,-+e\"\r\n xyn".utf8) + [0xFF, 0xEF, 0xBB, 0xBF]
        for _ in 0..<500 {
            let bytes = (0..<random.next(below: 40)).map { _ in alphabet[random.next(below: alphabet.count)] }
            let url = directory.appendingPathComponent("fuzz.csv")
            try Data(Array("x,y\n".utf8) + bytes).write(to: url)
            do {
                _ = try loadCSVDataset(path: url.path, target: "y", classification: nil)
            } catch let error as NNSearchError {
                XCTAssertEqual(error.exitCode, 65)
            }
        }
    }
}
