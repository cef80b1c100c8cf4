import Foundation

/// Loads a dataset from a CSV file with a header row: `target` is predicted, every other column is a numeric feature.
///
/// `classification` nil infers the task: any non-numeric target means classification, as do
/// integer targets with at most 20 distinct values; anything else is regression. Classes are
/// sorted numerically when every target is a number (named by their first spelling, so `1` and
/// `1.0` are one class), otherwise by UTF-8 bytes. Spaces and tabs around cells and names are
/// ignored. Blank lines are skipped. Every problem is an `NNSearchError(.data, …)` that names the
/// file, line and column, and the column's name.
func loadCSVDataset(path: String, target: String, classification: Bool?) throws -> Dataset {
    var loader = CSVDatasetLoader(path: path, bytes: try readCSVFile(path))
    return try loader.load(target: target, classification: classification)
}

/// The file's bytes, or a data error naming the path.
private func readCSVFile(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw NNSearchError.data("\(path): no such file")
    }
    if isDirectory.boolValue { throw NNSearchError.data("\(path): is a directory, not a CSV file") }
    do {
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        throw NNSearchError.data("\(path): cannot read: \(error.localizedDescription)")
    }
}

/// The most distinct integer targets that are still inferred to be classes.
private let maxInferredClassCount = 20

/// One pass over a CSV file, building a `Dataset` and reporting the first problem.
private struct CSVDatasetLoader {
    let path: String
    var parser: CSVParser

    init(path: String, bytes: [UInt8]) {
        self.path = path
        parser = CSVParser(bytes: bytes)
    }

    /// The target cells as written, with their parsed value and byte offset.
    struct TargetCells {
        var text: [String] = []
        var number: [CellNumber] = []
        var offset: [Int] = []
    }

    mutating func load(target: String, classification: Bool?) throws -> Dataset {
        guard let header = try nextRecord() else {
            throw NNSearchError.data("\(path): file is empty; expected a header row naming the columns")
        }
        let names = try columnNames(header)
        guard let targetIndex = names.firstIndex(of: target) else {
            let list = names.map { "\"\($0)\"" }.joined(separator: ", ")
            throw NNSearchError.data(
                "\(path): no column named \"\(target)\"\(didYouMean(target, names)); the columns are \(list)")
        }
        guard names.count > 1 else {
            throw NNSearchError.data("\(path): no feature columns; the only column is the target \"\(target)\"")
        }
        let featureNames = names.enumerated().filter { $0.offset != targetIndex }.map(\.element)

        var features: [Float] = []
        var cells = TargetCells()
        while let record = try nextRecord() {
            guard record.fields.count == names.count else {
                let found = record.fields.count
                let offset = found > names.count ? record.fieldOffsets[names.count] : record.endOffset
                throw error(at: offset, "row has \(found) field\(found == 1 ? "" : "s"), expected \(names.count) (one per header column)")
            }
            for (column, field) in record.fields.enumerated() {
                let offset = record.fieldOffsets[column]
                let number = CellNumber(field)
                if column == targetIndex {
                    cells.text.append(trimmedCell(field))
                    cells.number.append(number)
                    cells.offset.append(offset)
                } else {
                    features.append(try featureValue(number, field, column: names[column], at: offset))
                }
            }
        }
        guard !cells.text.isEmpty else {
            throw NNSearchError.data("\(path): header only, no data rows")
        }
        let targets = try makeTargets(cells, name: target, classification: classification)
        return Dataset(featureNames: featureNames, features: features, targets: targets)
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
                throw error(at: offset, "duplicate column name \"\(name)\" (also column \(first + 1), at 1:\(column))")
            }
            seen[name] = i
            names.append(name)
        }
        return names
    }

    private func featureValue(_ number: CellNumber, _ field: String, column: String, at offset: Int) throws -> Float {
        switch number {
        case .finite(let value):
            let float = Float(value)
            if float.isFinite { return float }
            throw error(at: offset, "column \"\(column)\": \"\(trimmedCell(field))\" is too large for a 32-bit float")
        case .empty: throw error(at: offset, "column \"\(column)\" is empty")
        case .nonFinite: throw error(at: offset, "column \"\(column)\": \"\(trimmedCell(field))\" is not a finite number")
        case .invalid: throw error(at: offset, "column \"\(column)\": \"\(trimmedCell(field))\" is not a number")
        }
    }

    private func error(at offset: Int, _ message: String) -> NNSearchError {
        let (line, column) = parser.location(ofOffset: offset)
        return NNSearchError.data("\(path):\(line):\(column): \(message)")
    }

    // MARK: - Targets

    private func makeTargets(_ cells: TargetCells, name: String, classification: Bool?) throws -> Dataset.Targets {
        if let i = cells.number.firstIndex(of: .empty) {
            throw error(at: cells.offset[i], "target column \"\(name)\" is empty")
        }
        let isClassification = try classification ?? inferClassification(cells, name: name)
        guard isClassification else { return .values(try regressionValues(cells, name: name)) }

        let allNumeric = cells.number.allSatisfy { if case .finite = $0 { true } else { false } }
        let labels: [Int32], names: [String]
        if allNumeric {
            (labels, names) = classes(cells.number.map(\.value), spelling: cells.text) { $0 < $1 }
        } else {
            (labels, names) = classes(cells.text, spelling: cells.text) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        guard names.count >= 2 else {
            throw NNSearchError.data(
                "\(path): target column \"\(name)\" has a single class \"\(names[0])\"; classification needs at least 2")
        }
        return .classes(labels: labels, names: names)
    }

    /// Classification when any target is not a number, or all are integers with few distinct values.
    private func inferClassification(_ cells: TargetCells, name: String) throws -> Bool {
        if cells.number.contains(.invalid) { return true }
        if let i = cells.number.firstIndex(of: .nonFinite) {
            throw error(at: cells.offset[i], "target column \"\(name)\": \"\(cells.text[i])\" is not a finite number")
        }
        let values = cells.number.map(\.value)
        return values.allSatisfy { $0 == $0.rounded() } && Set(values).count <= maxInferredClassCount
    }

    private func regressionValues(_ cells: TargetCells, name: String) throws -> [Float] {
        try cells.number.indices.map { i in
            let text = cells.text[i], offset = cells.offset[i]
            switch cells.number[i] {
            case .finite(let value) where Float(value).isFinite: return Float(value)
            case .finite: throw error(at: offset, "target column \"\(name)\": \"\(text)\" is too large for a 32-bit float")
            case .nonFinite: throw error(at: offset, "target column \"\(name)\": \"\(text)\" is not a finite number")
            case .invalid, .empty:
                throw error(at: offset, "target column \"\(name)\": \"\(text)\" is not a number, and regression needs numeric targets")
            }
        }
    }

    /// Class indices for `keys` in sorted key order; each class is named by its first spelling.
    private func classes<Key: Hashable>(
        _ keys: [Key], spelling: [String], by areInOrder: (Key, Key) -> Bool
    ) -> (labels: [Int32], names: [String]) {
        var firstSpelling: [Key: String] = [:]
        for (key, text) in zip(keys, spelling) where firstSpelling[key] == nil { firstSpelling[key] = text }
        let sorted = firstSpelling.keys.sorted(by: areInOrder)
        let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($0.element, Int32($0.offset)) })
        return (keys.map { index[$0]! }, sorted.map { firstSpelling[$0]! })
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

    /// The value of a `.finite` cell, else NaN.
    var value: Double {
        if case .finite(let v) = self { return v }
        return .nan
    }

    init(_ cell: String) {
        let text = trimmedCell(cell)
        if text.isEmpty {
            self = .empty
        } else if !isPlainDecimal(text.utf8) {
            let word = text.lowercased().drop { $0 == "+" || $0 == "-" }
            self = ["nan", "inf", "infinity"].contains(word) ? .nonFinite : .invalid
        } else if let value = Double(text), value.isFinite {
            self = .finite(value)
        } else {
            self = .nonFinite
        }
    }
}

/// Whether `text` is a plain decimal number with an optional sign and exponent (no hex, no words).
private func isPlainDecimal(_ text: String.UTF8View) -> Bool {
    var i = text.startIndex
    func skipDigits() -> Int {
        var n = 0
        while i < text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[i]) {
            i = text.index(after: i)
            n += 1
        }
        return n
    }
    func skip(_ set: String) -> Bool {
        guard i < text.endIndex, set.utf8.contains(text[i]) else { return false }
        i = text.index(after: i)
        return true
    }
    _ = skip("+-")
    var digits = skipDigits()
    if skip(".") { digits += skipDigits() }
    guard digits > 0 else { return false }
    if skip("eE") {
        _ = skip("+-")
        guard skipDigits() > 0 else { return false }
    }
    return i == text.endIndex
}

/// `s` without leading and trailing spaces and tabs.
private func trimmedCell(_ s: String) -> String {
    let u = s.utf8
    let isSpace = { (c: UInt8) in c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
    guard let first = u.first, let last = u.last, isSpace(first) || isSpace(last) else { return s }
    var lo = u.startIndex, hi = u.endIndex
    while lo < hi, isSpace(u[lo]) { lo = u.index(after: lo) }
    while lo < hi, isSpace(u[u.index(before: hi)]) { hi = u.index(before: hi) }
    return String(decoding: u[lo..<hi], as: UTF8.self)
}
