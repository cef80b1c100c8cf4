/// One CSV record: its fields, unquoted, and where they came from.
struct CSVRecord: Equatable {
    /// The fields in order, quotes removed and `""` unescaped, otherwise exactly as written.
    var fields: [String]
    /// Byte offset in the input where each field starts (its opening quote, if quoted).
    var fieldOffsets: [Int]
    /// 1-based line on which the record starts.
    var line: Int
    /// Byte offset just past the record's last field (its line ending, or the end of input).
    var endOffset: Int
}

/// An RFC 4180 CSV reader over UTF-8 bytes, one record at a time.
///
/// Fields are separated by commas; records end with LF, CRLF or a lone CR, and the last
/// one may lack a line ending. A field that starts with `"` is quoted: it may hold commas,
/// line breaks and doubled quotes (`""` for `"`). A UTF-8 byte order mark is skipped.
/// Empty lines are skipped (an empty single-field record is written `""`).
/// Malformed quoting throws a `SyntaxError` with the line and column.
struct CSVParser {
    /// Malformed quoting, at a 1-based line and column (counted in Unicode scalars).
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var reason: String
        var description: String { "\(line):\(column): \(reason)" }
    }

    private let bytes: [UInt8]
    private let start: Int
    private var position: Int
    private var line = 1

    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    init(bytes: [UInt8]) {
        self.bytes = bytes
        start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        position = start
    }

    /// Every record of `bytes`.
    static func records(_ bytes: [UInt8]) throws -> [CSVRecord] {
        var parser = CSVParser(bytes: bytes)
        var result: [CSVRecord] = []
        while let record = try parser.next() { result.append(record) }
        return result
    }

    /// The next record, or nil at the end of the input.
    mutating func next() throws -> CSVRecord? {
        let bytes = self.bytes
        return try bytes.withUnsafeBufferPointer { try nextRecord($0) }
    }

    /// The 1-based line and column (in Unicode scalars, not counting a BOM) of a byte offset.
    func location(ofOffset offset: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = start
        let end = min(offset, bytes.count)
        var i = start
        while i < end {
            let c = bytes[i]
            if c == Self.lf || (c == Self.cr && (i + 1 >= bytes.count || bytes[i + 1] != Self.lf)) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        let column = bytes[lineStart..<max(lineStart, end)].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return (line, column)
    }

    // MARK: - Scanning

    private mutating func nextRecord(_ b: UnsafeBufferPointer<UInt8>) throws -> CSVRecord? {
        while position < b.count, b[position] == Self.lf || b[position] == Self.cr {
            skipLineEnding(b)
        }
        guard position < b.count else { return nil }
        var record = CSVRecord(fields: [], fieldOffsets: [], line: line, endOffset: 0)
        while true {
            record.fieldOffsets.append(position)
            if position < b.count, b[position] == Self.quote {
                record.fields.append(try quotedField(b))
            } else {
                record.fields.append(try plainField(b))
            }
            if position < b.count, b[position] == Self.comma {
                position += 1
                continue
            }
            record.endOffset = position
            if position < b.count { skipLineEnding(b) }
            return record
        }
    }

    /// Consumes one LF, CRLF or CR at `position`.
    private mutating func skipLineEnding(_ b: UnsafeBufferPointer<UInt8>) {
        if b[position] == Self.cr, position + 1 < b.count, b[position + 1] == Self.lf { position += 1 }
        position += 1
        line += 1
    }

    /// An unquoted field, up to the next comma, line ending or end of input.
    private mutating func plainField(_ b: UnsafeBufferPointer<UInt8>) throws -> String {
        let fieldStart = position
        while position < b.count {
            let c = b[position]
            if c == Self.comma || c == Self.lf || c == Self.cr { break }
            if c == Self.quote {
                throw syntaxError(at: position, "quote inside an unquoted field; quote the whole field and double the inner quote (\"\")")
            }
            position += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[fieldStart..<position]), as: UTF8.self)
    }

    /// A quoted field starting at the opening quote at `position`.
    private mutating func quotedField(_ b: UnsafeBufferPointer<UInt8>) throws -> String {
        let open = position
        position += 1
        var text: [UInt8] = []
        var segment = position
        while true {
            guard position < b.count else {
                throw syntaxError(at: open, "unterminated quoted field (no closing quote)")
            }
            let c = b[position]
            if c == Self.quote {
                text.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<position]))
                if position + 1 < b.count, b[position + 1] == Self.quote {
                    text.append(Self.quote)
                    position += 2
                    segment = position
                    continue
                }
                position += 1
                break
            }
            if c == Self.lf || (c == Self.cr && (position + 1 >= b.count || b[position + 1] != Self.lf)) {
                line += 1
            }
            position += 1
        }
        if position < b.count, b[position] != Self.comma, b[position] != Self.lf, b[position] != Self.cr {
            throw syntaxError(at: position, "unexpected text after the closing quote of a quoted field")
        }
        return String(decoding: text, as: UTF8.self)
    }

    private func syntaxError(at offset: Int, _ reason: String) -> SyntaxError {
        let (line, column) = location(ofOffset: offset)
        return SyntaxError(line: line, column: column, reason: reason)
    }
}
