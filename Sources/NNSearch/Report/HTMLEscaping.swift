/// Text made safe to place in HTML or inline SVG, as element content or a quoted attribute value.
///
/// `&`, `<`, `>`, `"` and `'` become character references, so no input can open a tag, close
/// an attribute or start an entity. Characters HTML forbids in a document (NUL, the other C0
/// controls but tab, newline and carriage return, DEL, C1 controls and noncharacters) become
/// U+FFFD, the replacement character.
package func htmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            let v = scalar.value
            let forbidden = v < 0x20 || (0x7F...0x9F).contains(v)
                || (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE
            out.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
        }
    }
    return out
}
