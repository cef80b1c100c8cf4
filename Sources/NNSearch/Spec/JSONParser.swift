/// Parses strict RFC 8259 JSON into a `JSONValue`, keeping object key order and number text.
///
/// Errors are `.usage` with the message `FILE:LINE:COLUMN: what was expected, what was found`
/// (columns count Unicode scalars from 1). Duplicate keys, trailing commas, comments, empty
/// input and text after the value are rejected; nesting deeper than 512 levels is refused.
package func parseJSON(_ text: String, file: String) throws -> JSONValue {
    var parser = JSONParser(bytes: Array(text.utf8), file: file)
    return try parser.parseDocument()
}

/// A recursive-descent reader over UTF-8 bytes.
///
/// Structural characters are ASCII, so `index` only ever stops on scalar boundaries.
private struct JSONParser {
    static let maxDepth = 512

    let bytes: [UInt8]
    let file: String
    var index = 0
    /// The 1-based line of `index`, maintained while skipping whitespace (strings cannot hold raw newlines).
    var line = 1

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func parseDocument() throws -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a UTF-8 byte order mark
        try skipWhitespace()
        if index == bytes.count {
            throw error(at: index, "expected a JSON value, found end of input (the input is empty)")
        }
        let value = try parseValue(depth: 0, expected: "a JSON value")
        try skipWhitespace()
        guard index == bytes.count else {
            throw error(at: index, "expected end of input after the JSON value, found \(found(at: index))")
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int, expected: String) throws -> JSONValue {
        try skipWhitespace()
        guard let byte = peek() else {
            throw error(at: index, "expected \(expected), found end of input")
        }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t") where matches("true"): index += 4; return .bool(true)
        case UInt8(ascii: "f") where matches("false"): index += 5; return .bool(false)
        case UInt8(ascii: "n") where matches("null"): index += 4; return .null
        default:
            throw error(at: index, "expected \(expected), found \(found(at: index))" + hint(at: index))
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        let open = index
        try checkDepth(depth, at: open)
        index += 1
        var members: [JSONMember] = []
        var keyLines: [String: Int] = [:]
        var lastComma: Int? = nil
        try skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return .object([]) }
        while true {
            try skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                if let comma = lastComma, peek() == UInt8(ascii: "}") {
                    throw error(at: comma, "trailing comma before '}' is not allowed in JSON; remove it")
                }
                let expected = members.isEmpty ? "a string key or '}'" : "a string key after ','"
                throw error(at: index, "expected \(expected), found \(found(at: index))" + unclosed(open, at: index))
            }
            let keyStart = index, keyLine = line
            let key = try parseString()
            if let first = keyLines[key] {
                throw error(at: keyStart, "duplicate key \(JSONValue.echo(key)) (first on line \(first), again on line \(keyLine))")
            }
            keyLines[key] = keyLine
            try skipWhitespace()
            guard peek() == UInt8(ascii: ":") else {
                throw error(at: index, "expected ':' after key \(JSONValue.echo(key)), found \(found(at: index))")
            }
            index += 1
            let value = try parseValue(depth: depth + 1, expected: "a value for key \(JSONValue.echo(key))")
            members.append(JSONMember(key: key, value: value, line: keyLine))
            try skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                lastComma = index
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw error(at: index, "expected ',' or '}' after object member, found \(found(at: index))"
                    + unclosed(open, at: index))
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        let open = index
        try checkDepth(depth, at: open)
        index += 1
        var items: [JSONValue] = []
        try skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return .array([]) }
        while true {
            items.append(try parseValue(depth: depth + 1, expected: items.isEmpty ? "a value or ']'" : "a value after ','"))
            try skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
                try skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    throw error(at: lastNonSpace(before: index), "trailing comma before ']' is not allowed in JSON; remove it")
                }
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default:
                throw error(at: index, "expected ',' or ']' after list item, found \(found(at: index))"
                    + unclosed(open, at: index))
            }
        }
    }

    private func checkDepth(_ depth: Int, at offset: Int) throws {
        if depth >= JSONParser.maxDepth {
            throw error(at: offset, "nesting is deeper than \(JSONParser.maxDepth) levels")
        }
    }

    // MARK: - Strings

    private mutating func parseString() throws -> String {
        let start = index
        index += 1
        var buffer: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error(at: start, "string is not closed (missing '\"' before end of input)")
            }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error(at: start, "string is not closed before the end of the line (write \\n for a line break)")
            case 0..<0x20:
                throw error(at: index, "control character \(scalarName(UInt32(byte))) must be escaped in a string")
            default:
                buffer.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws {
        let start = index
        index += 1
        guard let byte = peek() else {
            throw error(at: start, "string is not closed (missing '\"' before end of input)")
        }
        index += 1
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): UInt8(ascii: "\n")
        case UInt8(ascii: "r"): UInt8(ascii: "\r")
        case UInt8(ascii: "t"): UInt8(ascii: "\t")
        default: nil
        }
        if let simple { buffer.append(simple); return }
        guard byte == UInt8(ascii: "u") else {
            throw error(at: start, "invalid escape \\\(scalarText(at: start + 1)) in string;"
                + " valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
        var code = try parseHex4()
        if (0xD800...0xDBFF).contains(code) {
            guard matches("\\u") else {
                throw error(at: start, "\\u\(hex4(code)) is half of a surrogate pair; the low half (\\uDC00-\\uDFFF) must follow")
            }
            let lowStart = index
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(at: lowStart, "\\u\(hex4(low)) cannot follow \\u\(hex4(code)); expected a low surrogate \\uDC00-\\uDFFF")
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw error(at: start, "\\u\(hex4(code)) is a low surrogate without a high surrogate before it")
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw error(at: start, "\\u\(hex4(code)) is not a Unicode scalar")
        }
        UTF8.encode(scalar) { buffer.append($0) }
    }

    /// Reads the four hex digits after `\u`.
    private mutating func parseHex4() throws -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = hexValue(byte) else {
                throw error(at: index, "expected 4 hex digits after \\u, found \(found(at: index))")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func hex4(_ code: UInt32) -> String {
        let hex = String(code, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard isDigit(peek()) else {
            throw error(at: index, "expected a digit after '-', found \(found(at: index))")
        }
        if peek() == UInt8(ascii: "0") {
            index += 1
            if isDigit(peek()) { throw error(at: start, "numbers cannot have leading zeros") }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else {
                throw error(at: index, "expected a digit after '.', found \(found(at: index))")
            }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else {
                throw error(at: index, "expected a digit in the exponent, found \(found(at: index))")
            }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error(at: start, "number \(text.prefix(40)) is too large")
        }
        return .number(value, text: text)
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(peek()) { index += 1 }
    }

    // MARK: - Whitespace and lookahead

    private mutating func skipWhitespace() throws {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
            case UInt8(ascii: "/") where index + 1 < bytes.count
                && (bytes[index + 1] == UInt8(ascii: "/") || bytes[index + 1] == UInt8(ascii: "*")):
                throw error(at: index, "comments are not allowed in JSON")
            default:
                return
            }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func matches(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        return index + utf8.count <= bytes.count && bytes[index..<(index + utf8.count)].elementsEqual(utf8)
    }

    /// The offset of the last non-whitespace byte before `offset` (a comma, when reporting one).
    private func lastNonSpace(before offset: Int) -> Int {
        var i = offset - 1
        while i > 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i -= 1 }
        return max(i, 0)
    }

    // MARK: - Messages

    private func error(at offset: Int, _ message: String) -> NNSearchError {
        let (line, column) = position(of: offset)
        return .usage("\(file):\(line):\(column): \(message)")
    }

    /// The 1-based line and column (in Unicode scalars) of a byte offset.
    private func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        let first = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for byte in bytes[min(first, offset)..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// What is at `offset`, for "found ..." in messages: `'x'`, `'True'`, `U+00A0`, `end of input`.
    private func found(at offset: Int, quoted: Bool = true) -> String {
        guard offset < bytes.count else { return "end of input" }
        let q = quoted ? "'" : ""
        if isLetter(bytes[offset]) {
            var end = offset
            while end < bytes.count, end - offset < 20, isLetter(bytes[end]) || isDigit(bytes[end]) { end += 1 }
            return q + String(decoding: bytes[offset..<end], as: UTF8.self) + q
        }
        let scalar = scalarText(at: offset).unicodeScalars.first ?? "?"
        if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.isWhitespace
            || scalar.properties.generalCategory == .format {
            return scalarName(scalar.value)
        }
        return q + String(scalar) + q
    }

    /// The one Unicode scalar starting at `offset`, as text.
    private func scalarText(at offset: Int) -> String {
        guard offset < bytes.count else { return "" }
        let text = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self)
        return text.unicodeScalars.first.map { String($0) } ?? ""
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private func scalarName(_ value: UInt32) -> String { "U+" + hex4(value) }

    /// A hint for a common non-JSON value: Python literals, NaN, single quotes, bare words.
    private func hint(at offset: Int) -> String {
        let word = found(at: offset, quoted: false)
        switch word.lowercased() {
        case "true", "false", "null": return " (JSON literals are lowercase: \(word.lowercased()))"
        case "none": return " (JSON writes None as null)"
        case "nan", "infinity", "inf": return " (JSON has no NaN or Infinity)"
        case "'": return " (JSON strings use double quotes)"
        case "+", ".": return " (JSON numbers start with '-' or a digit, e.g. 0.5)"
        default:
            guard offset < bytes.count, isLetter(bytes[offset]) else { return "" }
            let suggestion = didYouMean(word, ["true", "false", "null"])
            return suggestion.isEmpty ? " (strings need double quotes)" : suggestion
        }
    }

    /// When the input ended inside a list or object, says where it was opened.
    private func unclosed(_ open: Int, at offset: Int) -> String {
        guard offset >= bytes.count else { return "" }
        let (line, column) = position(of: open)
        return " (the '\(Character(Unicode.Scalar(bytes[open])))' at \(line):\(column) is not closed)"
    }
}
