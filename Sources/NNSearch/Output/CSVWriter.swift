import Foundation

/// `s` as one RFC 4180 field: quoted, with quotes doubled, when it holds a comma, quote, CR or LF,
/// or starts or ends with a space or tab (which readers may trim); otherwise as is.
func csvField(_ s: String) -> String {
    let isBlank = { (c: UInt8) in c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
    let needsQuotes = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        || s.utf8.first.map(isBlank) == true || s.utf8.last.map(isBlank) == true
    guard needsQuotes else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// One CSV record: the fields joined by commas, ending in "\n".
///
/// A record of one empty field is written `""` so that it is not read back as a blank line.
package func csvLine(_ fields: [String]) -> String {
    if fields == [""] { return "\"\"\n" }
    return fields.map(csvField).joined(separator: ",") + "\n"
}
