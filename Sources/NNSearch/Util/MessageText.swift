// Pieces of the messages users read: what they wrote, abbreviated; counts with their nouns.

/// `text` itself when it has at most `limit` characters, else its first `limit` characters and
/// how long it was: `"aaaa…(102,400 characters)`. Messages echo what the user wrote through this,
/// so a 100 KB value does not flood the terminal.
package func abbreviated(_ text: String, limit: Int = 60) -> String {
    guard let cut = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex), cut != text.endIndex else {
        return text
    }
    return text[..<cut] + "…(\(groupedThousands(text.count)) characters)"
}

/// 102400 → "102,400".
package func groupedThousands(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// "1 row", "3 rows", "1,000 trials".
package func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(groupedThousands(n)) " + (n == 1 ? noun : plural ?? noun + "s")
}

extension JSONValue {
    /// The value as written, abbreviated for a message.
    var echoed: String { abbreviated(jsonText) }

    /// A name (a key, a string value) quoted as JSON and abbreviated for a message.
    static func echo(_ s: String) -> String { abbreviated(quote(s)) }
}
