import Foundation

/// The rows of a CSV file a model predicts, encoded exactly as its trial's rows were.
///
/// The model's columns are found by name in the header (in any order; other columns, the target
/// among them, are ignored). Each cell is read as the training loader reads a feature (`Cell`), the
/// cells make a `FeatureTable`, and the model's own `FeatureEncoding.encode` — the one formula
/// training used — turns it into inputs: a missing number becomes its column's fill (and its
/// indicator 1), a category its one-hot, a category the training rows lacked all zeros, a missing
/// category the `NAME_missing` input when the model has one, else all zeros. What was filled or
/// zeroed is counted (`Tally`). Every problem is a data error (65) naming the file, and the line and
/// column.
package struct ModelInput: Sendable {
    /// Data rows read (the header not counted).
    package var rows: Int
    /// rows × the model's inputs, row-major, before standardization.
    package var features: [Float]
    /// The missing cells and unknown categories met.
    package var tally: Tally

    /// Reads `path` for `model`'s columns.
    package static func read(path: String, model: SavedModel) throws -> ModelInput {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw NNSearchError(.noInput, "\(path): no such CSV file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NNSearchError(.noInput, "\(path): cannot read the file")
        }
        return try read(bytes: [UInt8](data), path: path, model: model)
    }

    /// Reads a CSV file's bytes for `model`'s columns; `path` names it in messages.
    static func read(bytes: [UInt8], path: String, model: SavedModel) throws -> ModelInput {
        let columns = model.columns
        let missingTexts = CSVColumns.standardMissing.union(model.missingTexts)
        var parser = CSVParser(bytes: bytes)
        func next() throws -> CSVRecord? {
            do { return try parser.next() } catch let e as CSVParser.SyntaxError {
                throw NNSearchError(.data, "\(path):\(e.line):\(e.column): \(e.reason)")
            }
        }
        func fail(_ offset: Int, _ message: String) -> NNSearchError {
            let (line, column) = parser.location(ofOffset: offset)
            return NNSearchError(.data, "\(path):\(line):\(column): \(message)")
        }
        let list = { (xs: [String]) in xs.map { JSONValue.quote($0) }.joined(separator: ", ") }
        guard let header = try next() else {
            throw NNSearchError(.data, "\(path): file is empty; expected a header row naming the columns " + list(columns.map(\.name)))
        }
        let names = header.fields.map(trimmed)
        var index = [Int]()
        var absent = [String]()
        for column in columns {
            if let i = names.firstIndex(of: column.name) { index.append(i) } else { absent.append(column.name) }
        }
        guard absent.isEmpty else {
            throw NNSearchError(.data, "\(path): no column \(list(absent)) — the model reads the columns \(list(columns.map(\.name)))"
                + didYouMean(absent[0], names) + "; the file has \(list(names))")
        }

        // The table's layout: numeric columns' cells in `numbers`, categorical ones' codes in `codes`.
        var tableColumns = [FeatureTable.Column]()
        var numberCount = 0, categoryCount = 0
        for column in columns {
            if case .number = column {
                tableColumns.append(.init(name: column.name, kind: .number, slot: numberCount))
                numberCount += 1
            } else {
                tableColumns.append(.init(name: column.name, kind: .category([]), slot: categoryCount))
                categoryCount += 1
            }
        }
        /// Per categorical column (by slot): its distinct texts in order of first appearance, their codes, their cells.
        var texts = [[String]](repeating: [], count: categoryCount)
        var codeOf = [[String: Int32]](repeating: [:], count: categoryCount)
        var cellsOf = [[Int]](repeating: [], count: categoryCount)
        var missing = [Int](repeating: 0, count: columns.count)
        var numbers = [Float](), codes = [Int32]()
        var rows = 0
        while let record = try next() {
            guard record.fields.count == names.count else {
                let found = record.fields.count
                let offset = found > names.count ? record.fieldOffsets[names.count] : record.endOffset
                throw fail(offset, "row has \(found) field\(found == 1 ? "" : "s"), expected \(names.count) (one per header column)")
            }
            for (c, i) in index.enumerated() {
                let text = trimmed(record.fields[i])
                let cell = Cell(text, missingTexts: missingTexts)
                let name = JSONValue.quote(columns[c].name)
                switch (columns[c], cell) {
                case (.number, .number(let value)):
                    let float = Float(value)
                    guard float.isFinite else {
                        throw fail(record.fieldOffsets[i], "column \(name): \(JSONValue.echo(text)) is too large for a 32-bit float")
                    }
                    numbers.append(float)
                case (.number(_, let fill, _), .missing):
                    guard !fill.isNaN else {
                        throw fail(record.fieldOffsets[i], "column \(name) is " + (text.isEmpty ? "empty" : "missing (\(JSONValue.echo(text)))")
                            + ", and the model has no value to fill it with (a model from format version 1, before missing values;"
                            + " export it again with this nnsearch)")
                    }
                    missing[c] += 1
                    numbers.append(.nan)
                case (.number, .text):
                    throw fail(record.fieldOffsets[i], "column \(name): \(JSONValue.echo(text)) is not a number"
                        + " (the model reads the column as numbers; a missing cell is empty or one of its missing texts)")
                case (.category, .missing):
                    missing[c] += 1
                    codes.append(-1)
                case (.category, .number), (.category, .text):
                    // A number in a categorical column is the category of its spelling, as in training.
                    let slot = tableColumns[c].slot
                    if let code = codeOf[slot][text] {
                        cellsOf[slot][Int(code)] += 1
                        codes.append(code)
                    } else {
                        let code = Int32(texts[slot].count)
                        texts[slot].append(text)
                        codeOf[slot][text] = code
                        cellsOf[slot].append(1)
                        codes.append(code)
                    }
                }
            }
            rows += 1
        }
        for c in tableColumns.indices {
            if case .category = tableColumns[c].kind { tableColumns[c].kind = .category(texts[tableColumns[c].slot]) }
        }
        // `numbers` and `codes` were appended column by column within each row: row-major per kind.
        let table = FeatureTable(columns: tableColumns, numbers: numbers, codes: codes,
                                 targets: .values([Float](repeating: 0, count: rows)), rowCount: rows)
        let features = model.encoding.encode(table, rows: Array(0..<rows)).features
        return ModelInput(rows: rows, features: features,
                          tally: Tally(columns: columns, missing: missing, texts: texts, cells: cellsOf))
    }

    /// What a cell means, decided as the training loader decides it: an empty cell or one of the
    /// missing texts is missing (even one that reads as a number, as pandas' `na_values`); otherwise a
    /// plain decimal number is a number (in a categorical column, the category of that spelling);
    /// anything else is a text (a category). The one place
    /// `predict` and the ONNX export (`SavedModel+ONNX.swift`, its missing texts) take this from.
    enum Cell: Equatable {
        case number(Double)
        case missing
        case text

        /// `text`: a cell without its surrounding spaces and tabs. Read with the loader's own
        /// `isMissing` and `CellNumber`, in the loader's order.
        init(_ text: String, missingTexts: Set<String>) {
            var text = text
            self = text.withUTF8 { bytes in
                if isMissing(bytes, missingTexts) { return .missing }
                if case .finite(let value) = CellNumber(bytes) { return .number(value) }
                return .text
            }
        }
    }

    /// `s` without leading and trailing spaces and tabs.
    private static func trimmed(_ s: String) -> String {
        var u = Substring(s)
        while let c = u.first, c == " " || c == "\t" { u = u.dropFirst() }
        while let c = u.last, c == " " || c == "\t" { u = u.dropLast() }
        return String(u)
    }
}
