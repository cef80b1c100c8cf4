/// Rows of cells as aligned lines: each column padded to its widest cell, two spaces apart, no trailing spaces.
func textTable(_ rows: [[String]]) -> [String] {
    guard let columns = rows.map(\.count).max() else { return [] }
    let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max()! }
    return rows.map { row in
        var line = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        while line.last == " " { line.removeLast() }
        return line
    }
}
