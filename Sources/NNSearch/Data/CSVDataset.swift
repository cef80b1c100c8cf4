import Foundation

/// Which of a CSV file's columns are read, and which cell texts mean "missing".
package struct CSVColumns: Sendable, Equatable {
    /// The column to predict.
    package var target: String
    /// The feature columns, in this order; nil: every column but the target and the ignored ones.
    package var features: [String]?
    /// Columns that are not read at all.
    package var ignore: [String]
    /// Cell texts that mean "missing" besides the standard ones (`CSVColumns.standardMissing`).
    package var missing: [String]

    package init(target: String, features: [String]? = nil, ignore: [String] = [], missing: [String] = []) {
        self.target = target
        self.features = features
        self.ignore = ignore
        self.missing = missing
    }

    /// The selection as a line of `resume`'s list of changes.
    var description: String {
        var parts = ["target \(JSONValue.echo(target))"]
        if let features { parts.append("features " + features.map { JSONValue.echo($0) }.joined(separator: ", ")) }
        if !ignore.isEmpty { parts.append("ignore " + ignore.map { JSONValue.echo($0) }.joined(separator: ", ")) }
        if !missing.isEmpty { parts.append("missing " + missing.map { JSONValue.echo($0) }.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    /// The texts pandas' `read_csv` reads as missing by default (an empty cell among them).
    package static let standardMissing: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]
}

/// Loads a CSV file with a header row: `columns.target` is predicted, the feature columns are
/// numbers or categories (a column with text cells), and cells like `NA` or an empty one are missing.
///
/// `classification` nil infers the task: any non-numeric target means classification, as do
/// integer targets with at most 20 distinct values; anything else is regression. Classes are
/// sorted numerically when every target is a number (named by their first spelling, so `1` and
/// `1.0` are one class), otherwise by UTF-8 bytes. Spaces and tabs around cells and names are
/// ignored. Blank lines are skipped. Every problem is an `NNSearchError(.data, …)` that names the
/// file, line and column, and the column's name.
///
/// One pass over the mapped file, handing its pages back as it goes: memory holds the features
/// (4 bytes a cell) and 20 bytes a row for the targets, not the file. (A column whose first text
/// cell comes after numbers is read again up to that row, for the numbers' spellings.)
func loadCSVTable(path: String, columns: CSVColumns, classification: Bool?) throws -> FeatureTable {
    var loader = CSVDatasetLoader(source: try CSVSource(path: path), columns: columns)
    return try loader.load(classification: classification)
}

/// A CSV file of numeric features as a dataset: `loadCSVTable` encoded with every row's statistics.
func loadCSVDataset(path: String, target: String, classification: Bool?) throws -> Dataset {
    let table = try loadCSVTable(path: path, columns: CSVColumns(target: target), classification: classification)
    let rows = Array(0..<table.rowCount)
    return FeatureEncoding(learning: table, rows: rows).encode(table, rows: rows)
}

/// What reading a CSV file's header and first rows tells before the whole file is loaded.
package struct CSVPreview: Sendable, Equatable {
    /// The network's inputs the columns make, as far as the rows read show (categories, indicators).
    package var featureCount: Int
    /// Rows the file has at most (its line breaks, less the header's).
    package var rowBound: Int
    /// Distinct target cells among the rows read, nil when they look like regression (numbers, not all integers).
    package var distinctTargets: Int?
}

/// Checks a CSV file's header and first `rows` rows as `loadCSVTable` would (encoding, columns,
/// field counts, cells), and bounds its rows by counting line breaks, without loading it.
func previewCSVTable(path: String, columns: CSVColumns, rows: Int = 1000) throws -> CSVPreview {
    var loader = CSVDatasetLoader(source: try CSVSource(path: path), columns: columns)
    return try loader.preview(rows: rows)
}

/// The most distinct integer targets that are still inferred to be classes.
private let maxInferredClassCount = 20

/// One pass over a CSV file, building a `FeatureTable` and reporting the first problem.
private struct CSVDatasetLoader {
    var parser: CSVParser
    let columns: CSVColumns
    let missingTexts: Set<String>
    /// Whether a missing text reads as a number (`"missing": ["-999"]`): then numbers are checked too.
    let numbersCanBeMissing: Bool
    var path: String { parser.source.path }

    init(source: CSVSource, columns: CSVColumns) {
        parser = CSVParser(source: source)
        self.columns = columns
        missingTexts = CSVColumns.standardMissing.union(columns.missing)
        numbersCanBeMissing = columns.missing.contains { text in
            var text = text
            return text.withUTF8 { if case .finite = CellNumber($0) { true } else { false } }
        }
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

        mutating func append(_ field: UnsafeBufferPointer<UInt8>, at offset: Int, missingTexts: Set<String>, numbersCanBeMissing: Bool) {
            var number = CellNumber(field)
            // A missing text is missing even when it reads as a number (as pandas' na_values).
            if case .finite = number, !numbersCanBeMissing {} else if isMissing(field, missingTexts) { number = .empty }
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

    /// One feature column as it is read: numbers until its first text cell, then category codes.
    struct FeatureCells {
        var name: String
        /// Rows read before its first text cell (numbers or missing until then); nil while it has none.
        var textFrom: Int? = nil
        var firstText: (offset: Int, text: String)? = nil
        /// Number cells: counted once the column has a text (for the mixed-column check).
        var numbers = 0
        var texts = 0
        var missing = 0
        /// Distinct texts in order of first appearance, and their codes.
        var categories: [String] = []
        var codes: [String: Int32] = [:]

        mutating func code(_ text: String) -> Int32 {
            if let c = codes[text] { return c }
            let c = Int32(categories.count)
            categories.append(text)
            codes[text] = c
            return c
        }
    }

    /// What each header column is: the target, a feature (its position), or not read.
    enum Role { case target, feature(Int), skipped }

    /// The columns and each one's role, from the header.
    mutating func header() throws -> (names: [String], roles: [Role], features: [FeatureCells]) {
        let target = columns.target
        guard let header = try nextRecord() else {
            throw NNSearchError.data("\(path): file is empty; expected a header row naming the columns")
        }
        let names = try columnNames(header)
        let shown = names.prefix(20).map(visibleName).joined(separator: ", ")
        let list = names.count > 20 ? shown + " and \(names.count - 20) more" : shown
        func unknown(_ name: String, _ key: String) -> NNSearchError {
            // Names shown with their invisible characters spelt out, so "y" and "y\u{A0}" do not look alike.
            let lookalike = names.first { withoutInvisible($0) == withoutInvisible(name) }
                ?? names.first { $0.lowercased() == name.lowercased() }
            let guess = lookalike.map { " (did you mean \(visibleName($0))?)" } ?? didYouMean(name, names)
            return NNSearchError.data("\(path): \(key): no column named \(visibleName(name))\(guess); the columns are \(list)")
        }
        guard let targetIndex = names.firstIndex(of: target) else { throw unknown(target, "data.target") }
        for (i, name) in columns.ignore.enumerated() {
            guard names.contains(name) else { throw unknown(name, "data.ignore[\(i)]") }
            if name == target { throw NNSearchError.data("\(path): data.ignore[\(i)]: \(visibleName(name)) is the target column; it cannot be ignored") }
        }
        let chosen: [Int]
        if let listed = columns.features {
            chosen = try listed.enumerated().map { i, name in
                guard let index = names.firstIndex(of: name) else { throw unknown(name, "data.features[\(i)]") }
                if name == target {
                    throw NNSearchError.data("\(path): data.features[\(i)]: \(visibleName(name)) is the target column; a feature cannot be the target")
                }
                if columns.ignore.contains(name) {
                    throw NNSearchError.data("\(path): data.features[\(i)]: \(visibleName(name)) is also in data.ignore; keep it in one list")
                }
                return index
            }
        } else {
            chosen = names.indices.filter { $0 != targetIndex && !columns.ignore.contains(names[$0]) }
        }
        guard !chosen.isEmpty else {
            if names.count == 1 {
                throw NNSearchError.data("\(path): no feature columns; the only column is the target \(JSONValue.echo(target))")
            }
            throw NNSearchError.data("\(path): no feature columns left: data.ignore leaves only the target \(JSONValue.echo(target))")
        }
        var roles = [Role](repeating: .skipped, count: names.count)
        roles[targetIndex] = .target
        for (k, index) in chosen.enumerated() { roles[index] = .feature(k) }
        return (names, roles, chosen.map { FeatureCells(name: names[$0]) })
    }

    mutating func load(classification: Bool?) throws -> FeatureTable {
        let (names, roles, columns) = try header()
        var features = columns
        var cells: [Float] = []
        var targets = TargetCells()
        // Reserve about what the file needs (its size over the bytes of the first row), so the
        // array rarely grows, and never to twice what it needs while it does.
        var reserved = false
        var releasedAt = 0
        while try nextRow(names: names, roles: roles, features: &features, cells: &cells, targets: &targets) {
            if !reserved {
                reserved = true
                let rowBytes = max(1, parser.offset - (targets.offset.first ?? 0))
                let rows = parser.source.bytes.count / rowBytes + 1
                cells.reserveCapacity(min(rows + rows / 8, 1 << 32) * features.count)
            }
            if parser.offset - releasedAt >= 1 << 24 {
                parser.source.release(before: parser.offset)
                releasedAt = parser.offset
            }
        }
        guard !targets.value.isEmpty else {
            throw NNSearchError.data("\(path): header only, no data rows")
        }
        try checkMixedColumns(features)
        try rereadNumbersBeforeText(names: names, roles: roles, features: &features, cells: &cells)
        let made = try makeTargets(targets, name: self.columns.target, classification: classification)
        return table(features, cells: cells, targets: made, rows: targets.value.count)
    }

    mutating func preview(rows: Int) throws -> CSVPreview {
        let (names, roles, columns) = try header()
        var features = columns
        var cells: [Float] = []
        var targets = TargetCells()
        while targets.value.count < rows,
              try nextRow(names: names, roles: roles, features: &features, cells: &cells, targets: &targets) {}
        guard !targets.value.isEmpty else {
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
        let numbers = targets.value.filter { !$0.isNaN }
        let regression = numbers.count == targets.value.count && numbers.contains { $0 != $0.rounded() }
        let distinct = Set(numbers).count + targets.texts.count
        // Each column's inputs as far as these rows show: a number (and an indicator), or its categories.
        let inputs = features.reduce(0) { total, f in
            let missing = f.missing > 0 ? 1 : 0
            return total + (f.textFrom == nil ? 1 + missing : max(f.categories.count + (f.numbers > 0 ? 1 : 0), 1) + missing)
        }
        return CSVPreview(featureCount: inputs, rowBound: max(lineBreaks, 1), distinctTargets: regression ? nil : distinct)
    }

    /// Reads one data row into `cells` (one per feature: a number, NaN when missing, or a category
    /// code's bits) and `targets`; false at the end of the file. A row with the wrong number of
    /// fields is reported before a bad cell in it.
    private mutating func nextRow(names: [String], roles: [Role], features: inout [FeatureCells], cells: inout [Float],
                                  targets: inout TargetCells) throws -> Bool {
        var cellError: (offset: Int, message: String)? = nil
        var extraOffset = 0
        let columns = names.count
        let row = targets.value.count
        let base = cells.count
        cells.append(contentsOf: repeatElement(0, count: features.count))
        let missingTexts = self.missingTexts, numbersCanBeMissing = self.numbersCanBeMissing
        let end: CSVParser.RecordEnd?
        do {
            end = try parser.nextRecord { column, field, offset in
                if column >= columns {
                    if column == columns { extraOffset = offset }
                    return
                }
                switch roles[column] {
                case .skipped: return
                case .target:
                    targets.append(field, at: offset, missingTexts: missingTexts, numbersCanBeMissing: numbersCanBeMissing)
                case .feature(let k):
                    // The common cell first: a number in a numeric column.
                    let number = CellNumber(field)
                    if case .finite(let value) = number, features[k].textFrom == nil, !numbersCanBeMissing {
                        let float = Float(value)
                        if float.isFinite { cells[base + k] = float; return }
                    }
                    if let problem = Self.otherCell(number, field, row: row, offset: offset, features: &features[k],
                                                    into: &cells[base + k], missingTexts: missingTexts), cellError == nil {
                        cellError = (offset, "column \(JSONValue.echo(names[column])): " + problem)
                    }
                }
            }
        } catch let e as CSVParser.SyntaxError {
            throw NNSearchError.data("\(path):\(e.line):\(e.column): \(e.reason)")
        }
        guard let end else {
            cells.removeLast(features.count)
            return false
        }
        if end.fieldCount != columns {
            let found = end.fieldCount
            let offset = found > columns ? extraOffset : end.endOffset
            throw error(at: offset, "row has \(counted(found, "field")), expected \(columns) (one per header column)")
        }
        if let cellError { throw error(at: cellError.offset, cellError.message) }
        return true
    }

    /// Reads a feature cell the short path did not: a missing cell, a cell of a categorical column,
    /// a column's first text, a number when some missing text reads as one, or a problem (returned
    /// as the message's end).
    private static func otherCell(_ number: CellNumber, _ field: UnsafeBufferPointer<UInt8>, row: Int, offset: Int,
                                  features f: inout FeatureCells, into cell: inout Float, missingTexts: Set<String>) -> String? {
        // Missing texts first, as pandas' na_values (a number in a numeric column is here only when a missing text is a number).
        if isMissing(field, missingTexts) {
            f.missing += 1
            cell = f.textFrom == nil ? .nan : Float(bitPattern: UInt32(bitPattern: -1))
            return nil
        }
        if f.textFrom != nil {
            // A categorical column: every cell is a category, numbers by their spelling.
            if case .finite = number { f.numbers += 1 } else { f.texts += 1 }
            cell = Float(bitPattern: UInt32(bitPattern: f.code(trimmedCell(field))))
            return nil
        }
        switch number {
        case .finite(let value):
            // A number the short path left (some missing text reads as a number), or one too large.
            let float = Float(value)
            if float.isFinite { cell = float; return nil }
            return "\(echoCell(field)) is too large for a 32-bit float"
        case .nonFinite: return "\(echoCell(field)) is not a finite number"
        case .invalid, .empty:
            // The column's first text: it holds categories from here on; its numbers so far are counted.
            let text = trimmedCell(field)
            f.numbers = row - f.missing
            f.textFrom = row
            f.firstText = (offset, text)
            f.texts += 1
            cell = Float(bitPattern: UInt32(bitPattern: f.code(text)))
            return nil
        }
    }

    /// Refuses a column of numbers with a few text cells (a typo, or a mark for "missing" that is
    /// not a standard one): read as categories, it would turn every number into a category.
    private func checkMixedColumns(_ features: [FeatureCells]) throws {
        for f in features {
            guard let first = f.firstText, f.numbers > f.texts else { continue }
            let quoted = JSONValue.echo(first.text)
            throw error(at: first.offset, "column \(JSONValue.echo(f.name)): \(quoted) is not a number, though"
                + " \(counted(f.numbers, "other cell")) of the column \(f.numbers == 1 ? "is" : "are"); correct it, leave the cell"
                + " empty (missing), or if \(quoted) marks a missing value add \"missing\": [\(quoted)] to the spec's \"data\"")
        }
    }

    /// Reads again the rows before each categorical column's first text cell, to give its numbers
    /// (read as numbers then) their category codes by spelling.
    private mutating func rereadNumbersBeforeText(names: [String], roles: [Role], features: inout [FeatureCells], cells: inout [Float]) throws {
        let upTo = features.compactMap { f in f.textFrom.flatMap { $0 > 0 ? $0 : nil } }.max() ?? 0
        guard upTo > 0 else { return }
        var reader = CSVParser(source: parser.source)
        _ = try reader.nextRecord { _, _, _ in }   // the header
        let width = features.count
        let missingTexts = self.missingTexts
        for row in 0..<upTo {
            _ = try reader.nextRecord { column, field, _ in
                guard column < roles.count, case .feature(let k) = roles[column],
                      let from = features[k].textFrom, row < from else { return }
                let code: Int32 = isMissing(field, missingTexts) ? -1 : features[k].code(trimmedCell(field))
                cells[row * width + k] = Float(bitPattern: UInt32(bitPattern: code))
            }
        }
        parser.source.release(before: parser.source.bytes.count)
    }

    /// The table: numeric columns' cells as they are, categorical ones' codes renumbered so that
    /// categories sort by UTF-8 bytes.
    private func table(_ features: [FeatureCells], cells: consuming [Float], targets: Dataset.Targets, rows: Int) -> FeatureTable {
        let width = features.count
        var columns: [FeatureTable.Column] = []
        var numberSlots: [Int] = [], categorySlots: [Int] = []
        var renumber: [[Int32]] = []
        for (k, f) in features.enumerated() {
            if f.textFrom == nil {
                let (distinct, integers) = distinctIntegers(cells, column: k, width: width, rows: rows)
                columns.append(.init(name: f.name, kind: .number, slot: numberSlots.count, missing: f.missing,
                                     distinct: distinct, integers: integers && f.missing < rows))
                numberSlots.append(k)
            } else {
                let order = f.categories.indices.sorted { f.categories[$0].utf8.lexicographicallyPrecedes(f.categories[$1].utf8) }
                var rank = [Int32](repeating: 0, count: order.count)
                for (r, i) in order.enumerated() { rank[i] = Int32(r) }
                columns.append(.init(name: f.name, kind: .category(order.map { f.categories[$0] }), slot: categorySlots.count,
                                     missing: f.missing, distinct: order.count))
                categorySlots.append(k)
                renumber.append(rank)
            }
        }
        if categorySlots.isEmpty {
            return FeatureTable(columns: columns, numbers: cells, codes: [], targets: targets, rowCount: rows)
        }
        var numbers = [Float](), codes = [Int32]()
        numbers.reserveCapacity(rows * numberSlots.count)
        codes.reserveCapacity(rows * categorySlots.count)
        for r in 0..<rows {
            for k in numberSlots { numbers.append(cells[r * width + k]) }
            for (j, k) in categorySlots.enumerated() {
                let code = Int32(bitPattern: cells[r * width + k].bitPattern)
                codes.append(code < 0 ? -1 : renumber[j][Int(code)])
            }
        }
        return FeatureTable(columns: columns, numbers: numbers, codes: codes, targets: targets, rowCount: rows)
    }

    /// Whether numeric column `column` holds integers only (missing cells aside), and if so how many distinct ones.
    private func distinctIntegers(_ cells: [Float], column: Int, width: Int, rows: Int) -> (distinct: Int, integers: Bool) {
        var values = [Float]()
        for r in 0..<rows {
            let v = cells[r * width + column]
            if v.isNaN { continue }
            guard v == v.rounded() else { return (0, false) }
            if values.isEmpty { values.reserveCapacity(rows) }
            values.append(v)
        }
        values.sort()
        var distinct = 0
        for i in values.indices where i == 0 || values[i] != values[i - 1] { distinct += 1 }
        return (distinct, true)
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
            let text = text(at: offset)
            let count = cells.value.indices.count { cells.value[$0].isNaN && cells.textIndex[$0] >= 0 && missingTexts.contains(cells.texts[Int(cells.textIndex[$0])]) }
            throw error(at: offset, "\(column) is " + (text.isEmpty ? "empty" : "missing (\(JSONValue.echo(text)))")
                + (count > 1 ? " (and on \(count - 1) more row\(count == 2 ? "" : "s"))" : "")
                + ": a row without a target cannot train or be scored; remove such rows from the file")
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

/// A CSV cell read as a decimal number: `[+-]digits[.digits][e[+-]digits]`, spaces and tabs around it
/// ignored. The one reading of a number the loader and `predict` (`ModelInput.Cell`) share.
enum CellNumber: Equatable {
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

/// Whether a cell marks a missing value: after trimming, one of `texts` (an empty cell among them).
func isMissing(_ field: UnsafeBufferPointer<UInt8>, _ texts: Set<String>) -> Bool {
    let cell = trimmed(field)
    return cell.isEmpty || texts.contains(String(decoding: cell, as: UTF8.self))
}

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
