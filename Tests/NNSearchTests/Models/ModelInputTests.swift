import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// `predict`'s reading of a CSV file: the training encoding, bit for bit; missing cells and unknown
/// categories handled as in training and counted; bad cells refused with the file, line and column.
final class ModelInputTests: XCTestCase {
    private func read(_ text: String, _ model: SavedModel) throws -> ModelInput {
        try ModelInput.read(bytes: Array(text.utf8), path: "in.csv", model: model)
    }

    /// A model of the columns `columns` (a network of one linear layer; only its input count matters here).
    private func model(_ columns: [SavedModel.Column], missingTexts: [String] = []) throws -> SavedModel {
        var model = try ModelSamples.trained(.heartRate).model
        let inputs = FeatureEncoding(columns: columns).width
        model.columns = columns
        model.missingTexts = missingTexts
        model.standardization = nil
        model.network = MLPWeights(dims: [inputs, 1], activation: .relu, weights: [[Float](repeating: 0, count: inputs)],
                                   biases: [[0]], batchNorm: nil)
        XCTAssertNil(model.inconsistency)
        return model
    }

    func testTheTrainingFileIsEncodedExactlyAsTrainingEncodedIt() throws {
        for regression in [false, true] {
            let csv = ModelSamples.messyCSV(regression: regression)
            var columns = ModelSamples.messyColumns
            columns.target = regression ? "y" : "survived"
            let table = try ModelSamples.table(csv, columns, classification: !regression)
            let t = try ModelSamples.trained(table, missingTexts: columns.missing)
            let input = try read(csv, t.model)
            let expected = t.encoding.encode(table, rows: Array(0..<table.rowCount)).features
            XCTAssertEqual(input.rows, table.rowCount)
            XCTAssertEqual(input.features.map(\.bitPattern), expected.map(\.bitPattern), "every input, bit for bit (regression: \(regression))")
            // The training file has the cells the training rows had, in more rows: only validation rows can surprise.
            XCTAssertEqual(input.tally.unknown, [])
            XCTAssertEqual(input.tally.missing.map(\.column), ["age", "port", "deck"])
            XCTAssertEqual(input.tally.missing.map(\.cells), table.columns.filter { $0.missing > 0 }.map(\.missing))
        }
    }

    func testMissingCellsAndUnknownCategoriesReadAsInTrainingAndAreCounted() throws {
        let m = try model([
            .number(name: "age", fill: 29.5, indicator: true),
            .number(name: "fare", fill: 12.25, indicator: false),
            .category(name: "sex", categories: ["F", "M"], missing: false),
            .category(name: "port", categories: ["C", "Q", "S"], missing: true),
        ], missingTexts: ["?"])
        let csv = """
            port,sex,id,fare,age
            S,M,1,10,40
            ?,X,2,,NA
            " Q ",F,3,-,?
            Z,,4,7.5,1e1
            C,X,5,NaN,
            7,F,6,1,2

            """
        XCTAssertThrowsError(try read(csv, m)) { error in
            XCTAssertEqual((error as? NNSearchError)?.message,
                           "in.csv:4:11: column \"fare\": \"-\" is not a number (the model reads the column as numbers; a missing cell is empty or one of its missing texts)")
        }
        let input = try read(csv.replacingOccurrences(of: ",-,", with: ",null,"), m)
        XCTAssertEqual(input.rows, 6)
        // age, age_missing, fare, sex=F, sex=M, port=C, port=Q, port=S, port_missing
        XCTAssertEqual(input.features, [
            40, 0, 10, 0, 1, 0, 0, 1, 0,
            29.5, 1, 12.25, 0, 0, 0, 0, 0, 1,      // "?" is missing (the model's text), X unknown
            29.5, 1, 12.25, 1, 0, 0, 1, 0, 0,      // a quoted category with spaces, trimmed
            10, 0, 7.5, 0, 0, 0, 0, 0, 0,          // Z unknown; sex empty: no training cell was, so all zeros
            29.5, 1, 12.25, 0, 0, 1, 0, 0, 0,
            2, 0, 1, 1, 0, 0, 0, 0, 0,             // 7: a number in a categorical column is the category "7", unknown
        ])
        XCTAssertEqual(input.tally.missing, [
            .init(column: "age", cells: 3, asZeros: false), .init(column: "fare", cells: 3, asZeros: false),
            .init(column: "sex", cells: 1, asZeros: true), .init(column: "port", cells: 1, asZeros: false),
        ])
        XCTAssertEqual(input.tally.unknown, [
            .init(column: "sex", category: "X", cells: 2), .init(column: "port", category: "Z", cells: 1), .init(column: "port", category: "7", cells: 1),
        ])
        XCTAssertEqual(input.tally.summary, "7 missing cells filled as in training (age 3, fare 3, port 1);"
            + " 1 missing cell read as all zeros, the training rows having none missing (sex 1);"
            + " 4 unknown categories read as all zeros (sex \"X\" ×2, port \"Z\" ×1, port \"7\" ×1)")
        XCTAssertNil(try read("age,fare,sex,port\n1,2,F,C\n", m).tally.summary, "nothing to report")
    }

    func testBadCellsAndFilesAreRefusedWithWhere() throws {
        let m = try model([.number(name: "a", fill: 0, indicator: false), .category(name: "k", categories: ["p"], missing: false)])
        let cases: [(String, String)] = [
            ("", "in.csv: file is empty; expected a header row naming the columns \"a\", \"k\""),
            ("k,b\n", "in.csv: no column \"a\" — the model reads the columns \"a\", \"k\""),
            ("a,k\n1,p\n2\n", "in.csv:3:2: row has 1 field, expected 2 (one per header column)"),
            ("a,k\n1e39,p\n", "in.csv:2:1: column \"a\": \"1e39\" is too large for a 32-bit float"),
            ("a,k\ninf,p\n", "in.csv:2:1: column \"a\": \"inf\" is not a number"),
            ("a,k\n\"1,p\n", "in.csv:2:1:"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try read(text, m), text) { error in
                XCTAssertEqual((error as? NNSearchError)?.kind, .data, text)
                XCTAssertTrue((error as? NNSearchError)?.message.hasPrefix(message) == true, "\(error) should start with \(message)")
            }
        }
        XCTAssertEqual(try read("\u{FEFF}k,a\r\n p ,\t3\r\n", m).features, [3, 1], "a byte order mark, CRLF, spaces and tabs around cells")
    }
}
