/// Builds one inline `<svg>` chart: a viewBox that scales to its container, a `<title>`, then
/// shapes and text in drawing order. Every text it is given is escaped here.
struct SVGWriter {
    enum Anchor: String {
        case start, middle, end
    }

    let width: Double
    let height: Double
    private(set) var body = ""

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The whole element; `title` is the chart's accessible name and tooltip.
    func svg(title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "role=\"img\" font-size=\"12\" preserveAspectRatio=\"xMidYMid meet\">"
            + "<title>\(htmlEscaped(title))</title>\n" + body + "</svg>"
    }

    /// Appends markup made by the caller from numbers and fixed names only, never from input text.
    mutating func append(_ markup: String) {
        body += markup
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       stroke: String, width: Double = 1, dash: String? = nil) {
        body += "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\" y2=\"\(svgNumber(y2))\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\""
            + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                       stroke: String? = nil, tooltip: String? = nil) {
        body += "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(max(0, w)))\" "
            + "height=\"\(svgNumber(max(0, h)))\" fill=\"\(fill)\""
            + (stroke.map { " stroke=\"\($0)\"" } ?? "")
        if let tooltip {
            body += "><title>\(htmlEscaped(tooltip))</title></rect>\n"
        } else {
            body += "/>\n"
        }
    }

    /// Text whose `y` is its vertical middle (not its baseline), so labels centre on ticks and bars.
    mutating func text(_ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12,
                       bold: Bool = false, fill: String = "#222", rotate: Double? = nil, tooltip: String? = nil) {
        let baseline = y + size * 0.35
        body += "<text x=\"\(svgNumber(x))\" y=\"\(svgNumber(baseline))\""
        if anchor != .start { body += " text-anchor=\"\(anchor.rawValue)\"" }
        if size != 12 { body += " font-size=\"\(svgNumber(size))\"" }
        if bold { body += " font-weight=\"bold\"" }
        body += " fill=\"\(fill)\""
        if let rotate {
            body += " transform=\"rotate(\(svgNumber(rotate)) \(svgNumber(x)) \(svgNumber(y)))\""
        }
        body += ">"
        if let tooltip { body += "<title>\(htmlEscaped(tooltip))</title>" }
        body += htmlEscaped(text) + "</text>\n"
    }
}

/// A coordinate written with at most one decimal, e.g. `12`, `12.5`, `-0.3`.
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let tenths = Int((value * 10).rounded())
    let whole = abs(tenths) / 10, fraction = abs(tenths) % 10
    let sign = tenths < 0 ? "-" : ""
    return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
}

/// About how wide `text` is drawn at `size` in a sans-serif face (used to keep labels apart).
///
/// Widths per character class are those of DejaVu Sans (bold ones about a tenth wider), the
/// widest common fallback, rounded up, so the estimate errs on the wide side with Arial,
/// Helvetica or Liberation Sans. Characters outside these classes count as 1 em.
func textWidth(_ text: String, size: Double = 12, bold: Bool = false) -> Double {
    var em = 0.0
    for c in text {
        switch c {
        case " ", ".", ",", ":", ";", "!", "|", "'", "\"", "i", "j", "l", "I", "J", "(", ")", "[", "]", "{", "}",
             "f", "t", "r", "-", "/", "\\", "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "⁻", "·":
            em += 0.42
        case "m", "w", "M", "W", "—", "…", "%", "@":
            em += 1.0
        case "<", ">", "=", "+", "~", "#", "&", "×":
            em += 0.84
        case "0"..."9", "a"..."z", "$", "_", "?", "*", "^", "`":
            em += 0.64
        case "A"..."Z":
            em += 0.78
        default:
            em += 1.0
        }
    }
    return em * size * (bold ? 1.1 : 1)
}

/// `text` cut, ending in `…`, so that it is drawn at most `width` wide at `size`.
func fitted(_ text: String, width: Double, size: Double = 12, bold: Bool = false) -> String {
    guard textWidth(text, size: size, bold: bold) > width else { return text }
    var kept = Substring(text)
    while kept.count > 1 && textWidth(kept + "…", size: size, bold: bold) > width { kept = kept.dropLast() }
    return kept + "…"
}

/// `text` cut to at most `limit` characters, ending in `…` when cut.
func truncated(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
}
