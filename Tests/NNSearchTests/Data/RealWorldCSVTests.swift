import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Real tables: text columns become categories, `NA`-like cells are missing, columns are chosen,
/// and the encoding is learned from the training rows alone.
final class RealWorldCSVTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try BinaryHarness.temporaryDirectory(self)
    }

    private func table(_ text: String, _ columns: CSVColumns = CSVColumns(target: "y"), classification: Bool? = nil) throws -> FeatureTable {
        let path = try BinaryHarness.write(text, to: "data.csv", in: directory)
        return try loadCSVTable(path: path, columns: columns, classification: classification)
    }

    private func assertError(_ text: String, _ columns: CSVColumns = CSVColumns(target: "y"), _ parts: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        do {
            let t = try table(text, columns)
            XCTFail("expected an error, loaded \(t.rowCount) rows", file: file, line: line)
        } catch let error as NNSearchError {
            XCTAssertEqual(error.exitCode, 65, error.message, file: file, line: line)
            for part in parts + ["data.csv"] where !error.message.contains(part) {
                XCTFail("message lacks \"\(part)\": \(error.message)", file: file, line: line)
            }
        } catch {
            XCTFail("expected NNSearchError, got \(error)", file: file, line: line)
        }
    }

    // MARK: - Reading

    func testTextColumnsAreCategoriesAndMissingMarksAreMissing() throws {
        let t = try table("\u{FEFF}sex,age,y\nM,30,0\nF,NA,1\n\"\",41.5,0\nF, nan ,1\nX,null,0\n")
        XCTAssertEqual(t.columns.map(\.name), ["sex", "age"])
        XCTAssertEqual(t.columns[0].kind, .category(["F", "M", "X"]))
        XCTAssertEqual(t.columns[0].missing, 1)
        XCTAssertEqual(t.columns[1].kind, .number)
        XCTAssertEqual(t.columns[1].missing, 3)
        XCTAssertEqual(t.codes, [1, 0, -1, 0, 2])
        XCTAssertEqual(t.numbers.map { $0.isNaN ? -1 : $0 }, [30, -1, 41.5, -1, -1])
        XCTAssertEqual(t.targets, .classes(labels: [0, 1, 0, 1, 0], names: ["0", "1"]))
    }

    func testAColumnWhoseTextComesAfterNumbersKeepsTheNumbersSpellings() throws {
        // Numbers first, then texts in the majority: a code column like "7", "A1", "B2", "C3".
        let t = try table("code,x,y\n7,1,0\n07,2,1\nA1,3,0\nB2,4,1\nA1,5,0\nNA,6,1\n")
        XCTAssertEqual(t.columns[0].kind, .category(["07", "7", "A1", "B2"]))
        XCTAssertEqual(t.codes, [1, 0, 2, 3, 2, -1])
        XCTAssertEqual(t.columns[1].kind, .number)
        XCTAssertEqual(t.numbers, [1, 2, 3, 4, 5, 6])
    }

    func testExtraMissingTextsAndTheHintForThem() throws {
        assertError("x,y\n1,0\n2,1\n?,0\n", CSVColumns(target: "y"), ["data.csv:4:1:", "\"?\" is not a number", "\"missing\": [\"?\"]"])
        let t = try table("x,y\n1,0\n2,1\n?,0\n", CSVColumns(target: "y", missing: ["?"]))
        XCTAssertEqual(t.columns[0].kind, .number)
        XCTAssertEqual(t.columns[0].missing, 1)
    }

    func testAMissingTextThatReadsAsANumberIsMissingEverywhere() throws {
        // As pandas' na_values: "-999" listed as missing is missing in a numeric column, in a
        // categorical one (before and after its first text), and as a target.
        let columns = CSVColumns(target: "y", missing: ["-999"])
        let t = try table("x,k,y\n1,-999,0\n-999,5,1\n3,A,0\n4,-999,1\n5,B,0\n6,B,1\n", columns)
        XCTAssertEqual(t.columns[0].kind, .number)
        XCTAssertEqual(t.columns[0].missing, 1)
        XCTAssertEqual(t.numbers.map { $0.isNaN ? 0 : $0 }, [1, 0, 3, 4, 5, 6])
        XCTAssertEqual(t.columns[1].kind, .category(["5", "A", "B"]))
        XCTAssertEqual(t.columns[1].missing, 2)
        XCTAssertEqual(t.codes, [-1, 0, 1, -1, 2, 2])
        XCTAssertEqual(FeatureEncoding(learning: t, rows: Array(0..<6)).columns[0], .number(name: "x", fill: 3.8, indicator: true))
        assertError("x,y\n1,0\n2,-999\n3,1\n", columns, ["data.csv:3:3:", "target column \"y\" is missing (\"-999\")"])
        // Without the listing, -999 is a number like any other.
        XCTAssertEqual(try table("x,y\n-999,0\n2,1\n").numbers, [-999, 2])
        // predict reads a cell the same way.
        XCTAssertEqual(ModelInput.Cell("-999", missingTexts: ["-999"]), .missing)
        XCTAssertEqual(ModelInput.Cell("-998", missingTexts: ["-999"]), .number(-998))
    }

    func testFeaturesAndIgnoreChooseColumns() throws {
        let text = "id,b,a,y,c\n1,2,3,0,x\n2,5,6,1,y\n"
        let chosen = try table(text, CSVColumns(target: "y", features: ["a", "c"]))
        XCTAssertEqual(chosen.columns.map(\.name), ["a", "c"])
        XCTAssertEqual(chosen.numbers, [3, 6])
        let rest = try table(text, CSVColumns(target: "y", ignore: ["id", "c"]))
        XCTAssertEqual(rest.columns.map(\.name), ["b", "a"])
        XCTAssertEqual(rest.numbers, [2, 3, 5, 6])
        // An ignored column is not read at all: its cells may be anything.
        XCTAssertNoThrow(try table("id,x,y\n\"a\"\"b\",1,0\n,2,1\n", CSVColumns(target: "y", ignore: ["id"])))
        assertError(text, CSVColumns(target: "y", features: ["a", "cc"]), ["data.features[1]", "no column named \"cc\"", "did you mean \"c\""])
        assertError(text, CSVColumns(target: "y", ignore: ["ID"]), ["data.ignore[0]", "did you mean \"id\""])
        assertError(text, CSVColumns(target: "y", features: ["y"]), ["data.features[0]", "is the target column"])
        assertError(text, CSVColumns(target: "y", ignore: ["y"]), ["data.ignore[0]", "is the target column"])
        assertError(text, CSVColumns(target: "y", features: ["a"], ignore: ["a"]), ["data.features[0]", "also in data.ignore"])
        assertError(text, CSVColumns(target: "y", ignore: ["id", "b", "a", "c"]), ["no feature columns left"])
    }

    func testInfinityAndOverflowAreStillRefused() {
        assertError("x,y\n1,0\ninf,1\n", CSVColumns(target: "y"), ["data.csv:3:1:", "\"inf\" is not a finite number"])
        assertError("x,y\n1,0\n1e300,1\n", CSVColumns(target: "y"), ["data.csv:3:1:", "too large for a 32-bit float"])
    }

    func testThePreviewCountsTheInputsItsRowsShow() throws {
        // sex: 3 categories; age: a number with a missing cell (2 inputs); city: 1 category; x: 1.
        let path = try BinaryHarness.write("sex,age,city,x,y\nM,1,a,1,0\nF,,a,2,1\nX,3,a,3,0\n", to: "p.csv", in: directory)
        let preview = try previewCSVTable(path: path, columns: CSVColumns(target: "y"))
        XCTAssertEqual(preview.featureCount, 3 + 2 + 1 + 1)
        let table = try loadCSVTable(path: path, columns: CSVColumns(target: "y"), classification: nil)
        XCTAssertEqual(FeatureEncoding(learning: table, rows: [0, 1, 2]).width, preview.featureCount)
    }

    // MARK: - Encoding

    func testEncodingIsLearnedFromTheTrainingRowsAlone() throws {
        let t = try table("sex,age,y\nM,10,0\nF,,1\nM,30,0\nX,NA,1\n,50,0\nF,20,1\n")
        // Rows 0–2 train: sex F and M, one missing age; no missing sex.
        let e = FeatureEncoding(learning: t, rows: [0, 1, 2])
        XCTAssertEqual(e.columns, [.category(name: "sex", categories: ["F", "M"], missing: false),
                                   .number(name: "age", fill: 20, indicator: true)])
        XCTAssertEqual(e.inputNames, ["sex=F", "sex=M", "age", "age_missing"])
        let d = e.encode(t, rows: [0, 1, 3, 4, 5])
        XCTAssertEqual(d.features, [0, 1, 10, 0,
                                    1, 0, 20, 1,
                                    0, 0, 20, 1,     // X was never seen in training: all zeros
                                    0, 0, 50, 0,     // a missing sex, with no missing input: all zeros
                                    1, 0, 20, 0])
        XCTAssertEqual(d.targets, .classes(labels: [0, 1, 1, 0, 1], names: ["0", "1"]))
        // All rows: X and the missing sex are categories now; the fill is the mean of 10, 30, 50, 20.
        let all = FeatureEncoding(learning: t, rows: Array(0..<6))
        XCTAssertEqual(all.columns, [.category(name: "sex", categories: ["F", "M", "X"], missing: true),
                                     .number(name: "age", fill: 27.5, indicator: true)])
        XCTAssertEqual(all.encode(t, rows: [4]).features, [0, 0, 0, 1, 50, 0])
    }

    func testANumericTableEncodesToItsOwnNumbers() throws {
        let dataset = DataGenerator.sumMod.generate(rows: 300, seed: 4)
        let table = FeatureTable(dataset)
        XCTAssertTrue(table.isPlain)
        let rows = Array((0..<300).reversed())
        let encoded = FeatureEncoding(learning: table, rows: rows).encode(table, rows: rows)
        let subset = dataset.subset(rows)
        XCTAssertEqual(encoded.features.map(\.bitPattern), subset.features.map(\.bitPattern))
        XCTAssertEqual(encoded.featureNames, subset.featureNames)
        XCTAssertEqual(encoded.targets, subset.targets)
    }

    func testTheSplitEncodesWithItsTrainingRows() throws {
        var text = "city,x,y\n"
        for i in 0..<40 { text += "\(["a", "b", "c"][i % 3]),\(i % 7 == 0 ? "" : String(i)),\(i % 2)\n" }
        text += "rare,3,1\n"
        let t = try table(text)
        let split = try DataSplit(t, validationFraction: 0.25, seed: 0)
        var random = Random(seed: 0, stream: 1)
        let trainRows = Array(random.permutation(41).prefix(30))
        XCTAssertEqual(split.encoding, FeatureEncoding(learning: t, rows: trainRows))
        XCTAssertEqual(split.train.featureCount, split.encoding.width)
        XCTAssertEqual(split.validation.featureCount, split.encoding.width)
    }

    // MARK: - What is reported

    func testThePreparationNamesWhatWasDoneAndSuspectedIDs() throws {
        var text = "id,name,score,sex,y\n"
        for i in 0..<30 { text += "\(100 + i),p\(i),\(Double(i) * 0.37),\(i % 3 == 0 ? "NA" : (i % 2 == 0 ? "F" : "M")),\(i % 2)\n" }
        let t = try table(text, CSVColumns(target: "y"))
        let p = DataPreparation(columns: t.columns, rows: t.rowCount, selection: CSVColumns(target: "y", ignore: ["other"]))
        XCTAssertEqual(p.lines.count, 4, p.lines.joined(separator: "\n"))
        XCTAssertTrue(p.lines[0].hasPrefix("id: a distinct integer on every row (30 of 30) — an identifier?"), p.lines[0])
        XCTAssertTrue(p.lines[0].contains("\"ignore\": [\"id\"]"), p.lines[0])
        XCTAssertTrue(p.lines[1].hasPrefix("name: text → one-hot"), p.lines[1])
        XCTAssertTrue(p.lines[1].contains("30 categories") && p.lines[1].contains("and 18 more") && p.lines[1].contains("a distinct value on every row"), p.lines[1])
        // score is distinct on every row too, but a measurement, not an identifier.
        XCTAssertFalse(p.lines.joined().contains("score"))
        XCTAssertEqual(p.lines[2], "sex: text → one-hot, one input per category of the training rows (2 categories: \"F\", \"M\"); 10 cells of 30 missing → their own input \"sex_missing\"")
        XCTAssertEqual(p.lines[3], "left out (\"ignore\"): \"other\"")
        XCTAssertEqual(p.json["columns"]?.jsonText.contains("\"missing\": 10"), true)
        let clean = DataPreparation(columns: FeatureTable(DataGenerator.sumBin.generate(rows: 100, seed: 0)).columns, rows: 100, selection: nil)
        XCTAssertTrue(clean.isEmpty)
        XCTAssertEqual(clean.json, .object([]))
    }
}
