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
///
/// `nextRecord(_:)` hands each field's bytes to a closure without making a `String` (the
/// dataset loader reads a large file that way); `next()` builds a `CSVRecord`.
struct CSVParser {
    /// Malformed quoting, at a 1-based line and column (counted in Unicode scalars).
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var reason: String
        var description: String { "\(line):\(column): \(reason)" }
    }

    /// Where a record ended, as `nextRecord(_:)` reports it.
    struct RecordEnd {
        /// 1-based line on which the record starts.
        var line: Int
        var fieldCount: Int
        /// Byte offset just past the record's last field.
        var endOffset: Int
    }

    /// The bytes (kept alive by the parser).
    let source: CSVSource
    private let b: UnsafeBufferPointer<UInt8>
    private let start: Int
    private var position: Int
    private var line = 1
    /// A quoted field with doubled quotes, unescaped.
    private var scratch: [UInt8] = []

    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    init(source: CSVSource) {
        self.source = source
        b = source.bytes
        start = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        position = start
    }

    init(bytes: [UInt8]) {
        self.init(source: CSVSource(bytes: bytes, path: ""))
    }

    /// Every record of `bytes`.
    static func records(_ bytes: [UInt8]) throws -> [CSVRecord] {
        var parser = CSVParser(bytes: bytes)
        var result: [CSVRecord] = []
        while let record = try parser.next() { result.append(record) }
        return result
    }

    /// Bytes read so far: every record before this offset has been returned.
    var offset: Int { position }

    /// The next record, or nil at the end of the input.
    mutating func next() throws -> CSVRecord? {
        var fields: [String] = [], offsets: [Int] = []
        guard let end = try nextRecord({ _, field, offset in
            fields.append(String(decoding: field, as: UTF8.self))
            offsets.append(offset)
        }) else { return nil }
        return CSVRecord(fields: fields, fieldOffsets: offsets, line: end.line, endOffset: end.endOffset)
    }

    /// Reads the next record, calling `visit(column, bytes, offset)` for each field in order with its
    /// unquoted bytes (valid during the call only) and the offset where it starts; nil at the end of input.
    mutating func nextRecord(
        _ visit: (_ column: Int, _ field: UnsafeBufferPointer<UInt8>, _ offset: Int) throws -> Void
    ) throws -> RecordEnd? {
        while position < b.count, b[position] == Self.lf || b[position] == Self.cr {
            skipLineEnding()
        }
        guard position < b.count else { return nil }
        let recordLine = line
        var column = 0
        while true {
            let fieldStart = position
            if position < b.count, b[position] == Self.quote {
                let field = try quotedField()
                if let field {
                    try visit(column, field, fieldStart)
                } else {
                    try scratch.withUnsafeBufferPointer { try visit(column, $0, fieldStart) }
                }
            } else {
                try visit(column, try plainField(), fieldStart)
            }
            column += 1
            if position < b.count, b[position] == Self.comma {
                position += 1
                continue
            }
            let end = position
            if position < b.count { skipLineEnding() }
            return RecordEnd(line: recordLine, fieldCount: column, endOffset: end)
        }
    }

    /// The text of the field that starts at `offset` (one `nextRecord` reported).
    func field(at offset: Int) throws -> String {
        var reader = self
        reader.position = offset
        if offset < b.count, b[offset] == Self.quote {
            let field = try reader.quotedField()
            return field.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: reader.scratch, as: UTF8.self)
        }
        return String(decoding: try reader.plainField(), as: UTF8.self)
    }

    /// The 1-based line and column (in Unicode scalars, not counting a BOM) of a byte offset.
    func location(ofOffset offset: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = start
        let end = min(offset, b.count)
        var i = start
        while i < end {
            let c = b[i]
            if c == Self.lf || (c == Self.cr && (i + 1 >= b.count || b[i + 1] != Self.lf)) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        let column = b[lineStart..<max(lineStart, end)].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return (line, column)
    }

    // MARK: - Scanning

    /// Consumes one LF, CRLF or CR at `position`.
    private mutating func skipLineEnding() {
        if b[position] == Self.cr, position + 1 < b.count, b[position + 1] == Self.lf { position += 1 }
        position += 1
        line += 1
    }

    /// An unquoted field, up to the next comma, line ending or end of input.
    private mutating func plainField() throws -> UnsafeBufferPointer<UInt8> {
        let fieldStart = position
        while position < b.count {
            let c = b[position]
            if c == Self.comma || c == Self.lf || c == Self.cr { break }
            if c == Self.quote {
                throw syntaxError(at: position, "quote inside an unquoted field; quote the whole field and double the inner quote (\"\")")
            }
            position += 1
        }
        return UnsafeBufferPointer(rebasing: b[fieldStart..<position])
    }

    /// A quoted field starting at the opening quote at `position`: its bytes between the quotes,
    /// or nil when it had doubled quotes and its unescaped bytes are in `scratch`.
    private mutating func quotedField() throws -> UnsafeBufferPointer<UInt8>? {
        let open = position
        position += 1
        var segment = position
        var escaped = false
        var end = position
        while true {
            guard position < b.count else {
                throw syntaxError(at: open, "unterminated quoted field (no closing quote)")
            }
            let c = b[position]
            if c == Self.quote {
                if position + 1 < b.count, b[position + 1] == Self.quote {
                    if !escaped { scratch.removeAll(keepingCapacity: true); escaped = true }
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment...position]))
                    position += 2
                    segment = position
                    continue
                }
                end = position
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
        guard escaped else { return UnsafeBufferPointer(rebasing: b[(open + 1)..<end]) }
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<end]))
        return nil
    }

    private func syntaxError(at offset: Int, _ reason: String) -> SyntaxError {
        let (line, column) = location(ofOffset: offset)
        return SyntaxError(line: line, column: column, reason: reason)
    }
}
