import Foundation

/// The rows of a CSV file a model predicts: its columns found by name in the header (in any
/// order; other columns, the target among them, are ignored), each cell read as the training
/// loader reads a feature — spaces and tabs around it trimmed, a plain decimal number, rounded
/// once to Float. Every problem is a data error (65) naming the file, and the line and column.
package struct ModelInput: Sendable {
    /// Data rows read (the header not counted).
    package var rows: Int
    /// rows × columns values, row-major, in the model's column order.
    package var values: [Float]

    /// Reads `path` for the columns `columns`.
    package static func read(path: String, columns: [String]) throws -> ModelInput {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw NNSearchError(.noInput, "\(path): no such CSV file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NNSearchError(.noInput, "\(path): cannot read the file")
        }
        var parser = CSVParser(bytes: [UInt8](data))
        func next() throws -> CSVRecord? {
            do { return try parser.next() } catch let e as CSVParser.SyntaxError {
                throw NNSearchError(.data, "\(path):\(e.line):\(e.column): \(e.reason)")
            }
        }
        func fail(_ offset: Int, _ message: String) -> NNSearchError {
            let (line, column) = parser.location(ofOffset: offset)
            return NNSearchError(.data, "\(path):\(line):\(column): \(message)")
        }
        guard let header = try next() else {
            throw NNSearchError(.data, "\(path): file is empty; expected a header row naming the columns " + columns.joined(separator: ", "))
        }
        let names = header.fields.map(trimmed)
        var index = [Int]()
        var missing = [String]()
        for column in columns {
            if let i = names.firstIndex(of: column) { index.append(i) } else { missing.append(column) }
        }
        guard missing.isEmpty else {
            let list = { (xs: [String]) in xs.map { JSONValue.quote($0) }.joined(separator: ", ") }
            throw NNSearchError(.data, "\(path): no column \(list(missing)) — the model reads the columns \(list(columns))"
                + didYouMean(missing[0], names) + "; the file has \(list(names))")
        }
        var values = [Float]()
        var rows = 0
        while let record = try next() {
            guard record.fields.count == names.count else {
                let found = record.fields.count
                let offset = found > names.count ? record.fieldOffsets[names.count] : record.endOffset
                throw fail(offset, "row has \(found) field\(found == 1 ? "" : "s"), expected \(names.count) (one per header column)")
            }
            for (c, i) in index.enumerated() {
                let text = trimmed(record.fields[i])
                guard let value = decimal(text) else {
                    let what = text.isEmpty ? "is empty" : "\(JSONValue.quote(text)) is not a number"
                    throw fail(record.fieldOffsets[i], "column \(JSONValue.quote(columns[c])) \(what)")
                }
                let float = Float(value)
                guard float.isFinite else {
                    throw fail(record.fieldOffsets[i], "column \(JSONValue.quote(columns[c])): \(JSONValue.quote(text)) is too large for a 32-bit float")
                }
                values.append(float)
            }
            rows += 1
        }
        return ModelInput(rows: rows, values: values)
    }

    /// A plain decimal number with an optional sign and exponent (no hex, no words), as a finite Double.
    private static func decimal(_ text: String) -> Double? {
        let u = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            var n = 0
            while i < u.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(u[i]) { i += 1; n += 1 }
            return n
        }
        if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
        var count = digits()
        if i < u.count, u[i] == UInt8(ascii: ".") { i += 1; count += digits() }
        guard count > 0 else { return nil }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == u.count, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// `s` without leading and trailing spaces and tabs.
    private static func trimmed(_ s: String) -> String {
        var u = Substring(s)
        while let c = u.first, c == " " || c == "\t" { u = u.dropFirst() }
        while let c = u.last, c == " " || c == "\t" { u = u.dropLast() }
        return String(u)
    }
}
