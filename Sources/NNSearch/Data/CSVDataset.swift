import Foundation

/// Loads a dataset from a CSV file with a header row: `target` is predicted, every other column is a numeric feature.
///
/// `classification` nil infers the task: any non-numeric target means classification, as do
/// integer targets with at most 20 distinct values; anything else is regression. Classes are
/// sorted numerically when every target is a number (named by their first spelling, so `1` and
/// `1.0` are one class), otherwise by UTF-8 bytes. Spaces and tabs around cells and names are
/// ignored. Blank lines are skipped. Every problem is an `NNSearchError(.data, …)` that names the
/// file, line and column, and the column's name.
///
/// One pass over the mapped file, handing its pages back as it goes: memory holds the features
/// (4 bytes a cell) and 20 bytes a row for the targets, not the file.
func loadCSVDataset(path: String, target: String, classification: Bool?) throws -> Dataset {
    var loader = CSVDatasetLoader(source: try CSVSource(path: path))
    return try loader.load(target: target, classification: classification)
}

/// What reading a CSV file's header and first rows tells before the whole file is loaded.
package struct CSVPreview: Sendable, Equatable {
    package var featureCount: Int
    /// Rows the file has at most (its line breaks, less the header's).
    package var rowBound: Int
    /// Distinct target cells among the rows read, nil when they look like regression (numbers, not all integers).
    package var distinctTargets: Int?
}

/// Checks a CSV file's header and first `rows` rows as `loadCSVDataset` would (encoding, columns,
/// field counts, numeric features), and bounds its rows by counting line breaks, without loading it.
func previewCSVDataset(path: String, target: String, rows: Int = 1000) throws -> CSVPreview {
    var loader = CSVDatasetLoader(source: try CSVSource(path: path))
    return try loader.preview(target: target, rows: rows)
}

/// The most distinct integer targets that are still inferred to be classes.
private let maxInferredClassCount = 20

/// One pass over a CSV file, building a `Dataset` and reporting the first problem.
private struct CSVDatasetLoader {
    var parser: CSVParser
    var path: String { parser.source.path }

    init(source: CSVSource) {
        parser = CSVParser(source: source)
    }

    /// The target cells: each row's value (NaN unless a finite number), where it starts, and
    /// for a cell that is not a finite number its text's index in `texts`; the first offset of each problem.
    struct TargetCells {
        var value: [Double] = []
        var offset: [Int] = []
        var textIndex: [Int32] = []
        var texts: [String] = []
        var textIndices: [String: Int32] = [:]
        var firstEmpty: Int? = nil
        var firstNonFinite: Int? = nil
        var firstInvalid: Int? = nil
        var firstTooLarge: Int? = nil

        mutating func append(_ field: UnsafeBufferPointer<UInt8>, at offset: Int) {
            let number = CellNumber(field)
            self.offset.append(offset)
            switch number {
            case .finite(let v):
                value.append(v)
                textIndex.append(-1)
                if !Float(v).isFinite, firstTooLarge == nil { firstTooLarge = offset }
                return
            case .empty: if firstEmpty == nil { firstEmpty = offset }
            case .nonFinite: if firstNonFinite == nil { firstNonFinite = offset }
            case .invalid: if firstInvalid == nil { firstInvalid = offset }
            }
            value.append(.nan)
            let text = trimmedCell(field)
            if let i = textIndices[text] {
                textIndex.append(i)
            } else {
                let i = Int32(texts.count)
                texts.append(text)
                textIndices[text] = i
                textIndex.append(i)
            }
        }
    }

    /// The columns, the target's index and the feature names, from the header.
    mutating func header(target: String) throws -> (names: [String], targetIndex: Int) {
        guard let header = try nextRecord() else {
            throw NNSearchError.data("\(path): file is empty; expected a header row naming the columns")
        }
        let names = try columnNames(header)
        guard let targetIndex = names.firstIndex(of: target) else {
            // Names shown with their invisible characters spelt out, so "y" and "y\u{A0}" do not look alike.
            let shown = names.prefix(20).map(visibleName).joined(separator: ", ")
            let list = names.count > 20 ? shown + " and \(names.count - 20) more" : shown
            let lookalike = names.first { withoutInvisible($0) == withoutInvisible(target) }
            let guess = lookalike.map { " (did you mean \(visibleName($0))?)" } ?? didYouMean(target, names)
            throw NNSearchError.data("\(path): no column named \(visibleName(target))\(guess); the columns are \(list)")
        }
        guard names.count > 1 else {
            throw NNSearchError.data("\(path): no feature columns; the only column is the target \(JSONValue.echo(target))")
        }
        return (names, targetIndex)
    }

    mutating func load(target: String, classification: Bool?) throws -> Dataset {
        let (names, targetIndex) = try header(target: target)
        let featureNames = names.enumerated().filter { $0.offset != targetIndex }.map(\.element)
        var features: [Float] = []
        var cells = TargetCells()
        // Reserve about what the file needs (its size over the bytes of the first row), so the
        // array rarely grows, and never to twice what it needs while it does.
        var reserved = false
        var releasedAt = 0
        while try nextRow(names: names, targetIndex: targetIndex, features: &features, cells: &cells) {
            if !reserved {
                reserved = true
                let rowBytes = max(1, parser.offset - (cells.offset.first ?? 0))
                let rows = parser.source.bytes.count / rowBytes + 1
                features.reserveCapacity(min(rows + rows / 8, 1 << 32) * featureNames.count)
            }
            if parser.offset - releasedAt >= 1 << 24 {
                parser.source.release(before: parser.offset)
                releasedAt = parser.offset
            }
        }
        guard !cells.value.isEmpty else {
            throw NNSearchError.data("\(path): header only, no data rows")
        }
        let targets = try makeTargets(cells, name: target, classification: classification)
        return Dataset(featureNames: featureNames, features: features, targets: targets)
    }

    mutating func preview(target: String, rows: Int) throws -> CSVPreview {
        let (names, targetIndex) = try header(target: target)
        var features: [Float] = []
        var cells = TargetCells()
        while cells.value.count < rows,
              try nextRow(names: names, targetIndex: targetIndex, features: &features, cells: &cells) {}
        guard !cells.value.isEmpty else {
            throw NNSearchError.data("\(path): header only, no data rows")
        }
        // Count line breaks a chunk at a time, handing each chunk's pages back after it.
        let bytes = parser.source.bytes
        var lineBreaks = 0, at = 0
        while at < bytes.count {
            let end = min(bytes.count, at + (1 << 24))
            for byte in UnsafeBufferPointer(rebasing: bytes[at..<end]) where byte == UInt8(ascii: "\n") { lineBreaks += 1 }
            at = end
            parser.source.release(before: at)
        }
        let numbers = cells.value.filter { !$0.isNaN }
        let regression = numbers.count == cells.value.count && numbers.contains { $0 != $0.rounded() }
        let distinct = Set(numbers).count + cells.texts.count
        return CSVPreview(featureCount: names.count - 1, rowBound: max(lineBreaks, 1), distinctTargets: regression ? nil : distinct)
    }

    /// Reads one data row into `features` and `cells`; false at the end of the file. A row with the
    /// wrong number of fields is reported before a bad cell in it.
    private mutating func nextRow(names: [String], targetIndex: Int, features: inout [Float], cells: inout TargetCells) throws -> Bool {
        var cellError: (offset: Int, message: String)? = nil
        var extraOffset = 0
        let columns = names.count
        let end: CSVParser.RecordEnd?
        do {
            end = try parser.nextRecord { column, field, offset in
                if column >= columns {
                    if column == columns { extraOffset = offset }
                } else if column == targetIndex {
                    cells.append(field, at: offset)
                } else if cellError == nil {
                    switch CellNumber(field) {
                    case .finite(let value):
                        let float = Float(value)
                        if float.isFinite { features.append(float); return }
                        cellError = (offset, "column \(JSONValue.echo(names[column])): \(echoCell(field)) is too large for a 32-bit float")
                    case .empty: cellError = (offset, "column \(JSONValue.echo(names[column])) is empty")
                    case .nonFinite: cellError = (offset, "column \(JSONValue.echo(names[column])): \(echoCell(field)) is not a finite number")
                    case .invalid: cellError = (offset, "column \(JSONValue.echo(names[column])): \(echoCell(field)) is not a number")
                    }
                }
            }
        } catch let e as CSVParser.SyntaxError {
            throw NNSearchError.data("\(path):\(e.line):\(e.column): \(e.reason)")
        }
        guard let end else { return false }
        if end.fieldCount != columns {
            let found = end.fieldCount
            let offset = found > columns ? extraOffset : end.endOffset
            throw error(at: offset, "row has \(counted(found, "field")), expected \(columns) (one per header column)")
        }
        if let cellError { throw error(at: cellError.offset, cellError.message) }
        return true
    }

    // MARK: - Header and cells

    private mutating func nextRecord() throws -> CSVRecord? {
        do {
            return try parser.next()
        } catch let e as CSVParser.SyntaxError {
            throw NNSearchError.data("\(path):\(e.line):\(e.column): \(e.reason)")
        }
    }

    private func columnNames(_ header: CSVRecord) throws -> [String] {
        var seen: [String: Int] = [:]
        var names: [String] = []
        for (i, field) in header.fields.enumerated() {
            let name = trimmedCell(field)
            let offset = header.fieldOffsets[i]
            if name.isEmpty {
                throw error(at: offset, "column \(i + 1) has no name in the header (a saved index? write the CSV without it)")
            }
            if let first = seen[name] {
                let column = parser.location(ofOffset: header.fieldOffsets[first]).column
                throw error(at: offset, "duplicate column name \(JSONValue.echo(name)) (also column \(first + 1), at 1:\(column))")
            }
            seen[name] = i
            names.append(name)
        }
        return names
    }

    private func error(at offset: Int, _ message: String) -> NNSearchError {
        let (line, column) = parser.location(ofOffset: offset)
        return NNSearchError.data("\(path):\(line):\(column): \(message)")
    }

    /// The trimmed text of the target cell at `offset`.
    private func text(at offset: Int) -> String {
        trimmedCell((try? parser.field(at: offset)) ?? "")
    }

    // MARK: - Targets

    private func makeTargets(_ cells: TargetCells, name: String, classification: Bool?) throws -> Dataset.Targets {
        let column = "target column \(JSONValue.echo(name))"
        if let offset = cells.firstEmpty {
            throw error(at: offset, "\(column) is empty")
        }
        let isClassification = try classification ?? inferClassification(cells, column: column)
        guard isClassification else { return .values(try regressionValues(cells, column: column)) }

        let labels: [Int32], names: [String]
        if cells.firstNonFinite == nil && cells.firstInvalid == nil {
            // Every target is a number: one class per value, sorted, named by its first spelling.
            var first: [Double: Int] = [:]
            for (row, value) in cells.value.enumerated() where first[value] == nil { first[value] = row }
            let sorted = first.keys.sorted()
            let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($0.element, Int32($0.offset)) })
            labels = cells.value.map { index[$0]! }
            names = sorted.map { text(at: cells.offset[first[$0]!]) }
        } else {
            // Classes by text: a number's spelling is read back from the file (only numbers need it).
            var texts = cells.texts
            var rowText = [Int32](repeating: 0, count: cells.value.count)
            var lookup = cells.textIndices
            for row in cells.value.indices {
                let t = cells.textIndex[row]
                if t >= 0 { rowText[row] = t; continue }
                let spelling = text(at: cells.offset[row])
                if let i = lookup[spelling] {
                    rowText[row] = i
                } else {
                    let i = Int32(texts.count)
                    texts.append(spelling)
                    lookup[spelling] = i
                    rowText[row] = i
                }
            }
            let order = texts.indices.sorted { texts[$0].utf8.lexicographicallyPrecedes(texts[$1].utf8) }
            var rank = [Int32](repeating: 0, count: texts.count)
            for (r, i) in order.enumerated() { rank[i] = Int32(r) }
            labels = rowText.map { rank[Int($0)] }
            names = order.map { texts[$0] }
        }
        guard names.count >= 2 else {
            throw NNSearchError.data(
                "\(path): \(column) has a single class \(JSONValue.echo(names[0])); classification needs at least 2")
        }
        return .classes(labels: labels, names: names)
    }

    /// Classification when any target is not a number, or all are integers with few distinct values.
    private func inferClassification(_ cells: TargetCells, column: String) throws -> Bool {
        if cells.firstInvalid != nil { return true }
        if let offset = cells.firstNonFinite {
            throw error(at: offset, "\(column): \(JSONValue.echo(text(at: offset))) is not a finite number")
        }
        var distinct = Set<Double>()
        for value in cells.value {
            guard value == value.rounded() else { return false }
            distinct.insert(value)
            if distinct.count > maxInferredClassCount { return false }
        }
        return true
    }

    private func regressionValues(_ cells: TargetCells, column: String) throws -> [Float] {
        let problems = [cells.firstNonFinite, cells.firstInvalid, cells.firstTooLarge].compactMap { $0 }
        if let offset = problems.min() {
            let quoted = JSONValue.echo(text(at: offset))
            switch offset {
            case cells.firstNonFinite: throw error(at: offset, "\(column): \(quoted) is not a finite number")
            case cells.firstInvalid:
                throw error(at: offset, "\(column): \(quoted) is not a number, and regression needs numeric targets")
            default: throw error(at: offset, "\(column): \(quoted) is too large for a 32-bit float")
            }
        }
        return cells.value.map { Float($0) }
    }
}

// MARK: - Numbers

/// A CSV cell read as a decimal number: `[+-]digits[.digits][e[+-]digits]`, spaces and tabs around it ignored.
private enum CellNumber: Equatable {
    case finite(Double)
    /// `nan`, `inf`, `infinity` in any case and sign, or a decimal that overflows a Double.
    case nonFinite
    case invalid
    case empty

    init(_ cell: UnsafeBufferPointer<UInt8>) {
        let text = trimmed(cell)
        if text.isEmpty {
            self = .empty
        } else if !isPlainDecimal(text) {
            let word = text.drop { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
            let lowered = String(decoding: word, as: UTF8.self).lowercased()
            self = ["nan", "inf", "infinity"].contains(lowered) ? .nonFinite : .invalid
        } else if let value = parseDecimal(text), value.isFinite {
            self = .finite(value)
        } else {
            self = .nonFinite
        }
    }
}

/// Whether `text` is a plain decimal number with an optional sign and exponent (no hex, no words).
private func isPlainDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = text.count
    func skipDigits() -> Int {
        let from = i
        while i < n, text[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        return i - from
    }
    func skip(_ a: UInt8, _ b: UInt8) -> Bool {
        guard i < n, text[i] == a || text[i] == b else { return false }
        i += 1
        return true
    }
    _ = skip(UInt8(ascii: "+"), UInt8(ascii: "-"))
    var digits = skipDigits()
    if skip(UInt8(ascii: "."), UInt8(ascii: ".")) { digits += skipDigits() }
    guard digits > 0 else { return false }
    if skip(UInt8(ascii: "e"), UInt8(ascii: "E")) {
        _ = skip(UInt8(ascii: "+"), UInt8(ascii: "-"))
        guard skipDigits() > 0 else { return false }
    }
    return i == n
}

/// The value of a plain decimal (checked by `isPlainDecimal`), correctly rounded: the same Double
/// as `Double(String)` (its reference, compared in the tests), which reads any other.
///
/// Clinger's fast path: with at most 15 significant digits the digits are an exact Double, and
/// so is a power of ten up to 10^22; one multiplication or division then rounds once, correctly.
func parseDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
    let zero = UInt8(ascii: "0")
    let n = text.count
    var i = 0, negative = false
    if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
        negative = text[i] == UInt8(ascii: "-")
        i += 1
    }
    var mantissa: UInt64 = 0, significant = 0, exponent = 0
    var fraction = false
    while i < n {
        let c = text[i]
        if c == UInt8(ascii: ".") { fraction = true; i += 1; continue }
        let d = c &- zero
        guard d < 10 else { break }
        if mantissa != 0 || d != 0 {
            significant += 1
            if significant > 15 { return Double(String(decoding: text, as: UTF8.self)) }
            mantissa = mantissa * 10 + UInt64(d)
        }
        if fraction { exponent -= 1 }
        i += 1
    }
    if i < n {   // e or E, an optional sign, digits
        i += 1
        var sign = 1, e = 0
        if text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") { sign = text[i] == UInt8(ascii: "-") ? -1 : 1; i += 1 }
        while i < n {
            e = e * 10 + Int(text[i] &- zero)
            if e > 1000 { return Double(String(decoding: text, as: UTF8.self)) }
            i += 1
        }
        exponent += sign * e
    }
    var value = Double(mantissa)
    if mantissa != 0 {
        guard (-22...22).contains(exponent) else { return Double(String(decoding: text, as: UTF8.self)) }
        value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
    }
    return negative ? -value : value
}

/// 10^0 ... 10^22, each exact in a Double.
private let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

/// `s` without leading and trailing spaces and tabs.
private func trimmed(_ s: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var lo = 0, hi = s.count
    while lo < hi, s[lo] == UInt8(ascii: " ") || s[lo] == UInt8(ascii: "\t") { lo += 1 }
    while lo < hi, s[hi - 1] == UInt8(ascii: " ") || s[hi - 1] == UInt8(ascii: "\t") { hi -= 1 }
    return UnsafeBufferPointer(rebasing: s[lo..<hi])
}

/// A column name quoted for a message, abbreviated, with characters one cannot see (controls,
/// no-break and zero-width spaces, byte order marks, other format characters) written as `\u{A0}`.
private func visibleName(_ name: String) -> String {
    var out = ""
    for scalar in name.unicodeScalars {
        out += isInvisible(scalar) ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
    }
    return abbreviated("\"" + out.replacingOccurrences(of: "\"", with: "\\\"") + "\"")
}

/// `name` without the characters `visibleName` spells out.
private func withoutInvisible(_ name: String) -> String {
    String(String.UnicodeScalarView(name.unicodeScalars.filter { !isInvisible($0) }))
}

private func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
    let p = scalar.properties
    return p.generalCategory == .format || p.generalCategory == .control
        || (p.isWhitespace && scalar != " ") || scalar.value == 0xA0 || scalar.value == 0xFFFD
}

/// A cell as messages quote it: trimmed, abbreviated.
private func echoCell(_ field: UnsafeBufferPointer<UInt8>) -> String {
    JSONValue.echo(trimmedCell(field))
}

/// The cell's text without leading and trailing spaces and tabs.
private func trimmedCell(_ s: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: trimmed(s), as: UTF8.self)
}

/// `s` without leading and trailing spaces and tabs.
private func trimmedCell(_ s: String) -> String {
    var s = s
    return s.withUTF8 { trimmedCell($0) }
}
