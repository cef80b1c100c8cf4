/// A chart's key: swatches and labels in rows that wrap to the chart's width, under the plot.
struct ChartLegend {
    /// What an item's swatch looks like.
    enum Mark {
        /// A short line, dashed when `dash` is set (an SVG dash array).
        case line(dash: String?)
        case dot
    }

    struct Item {
        var label: String
        var color: String
        var mark: Mark
    }

    static let rowHeight = 18.0
    static let labelLimit = 32
    let items: [Item]

    private func itemWidth(_ item: Item) -> Double {
        26 + textWidth(truncated(item.label, to: Self.labelLimit)) + 14
    }

    /// Each item's row and x offset when the rows are at most `width` wide.
    private func layout(width: Double) -> [(row: Int, x: Double)] {
        var placed: [(row: Int, x: Double)] = []
        var row = 0, x = 0.0
        for item in items {
            let w = itemWidth(item)
            if x > 0 && x + w - 14 > width {
                row += 1
                x = 0
            }
            placed.append((row, x))
            x += w
        }
        return placed
    }

    /// The height the legend takes when the rows are at most `width` wide (0 with no item).
    func height(width: Double) -> Double {
        guard let last = layout(width: width).last else { return 0 }
        return Double(last.row + 1) * Self.rowHeight
    }

    /// Draws the legend with its first row's middle at `y`, starting at `x`.
    func draw(x: Double, y: Double, width: Double, into svg: inout SVGWriter) {
        for (item, place) in zip(items, layout(width: width)) {
            let px = x + place.x, py = y + Double(place.row) * Self.rowHeight
            switch item.mark {
            case .line(let dash):
                svg.line(px, py, px + 20, py, stroke: item.color, width: 2.5, dash: dash)
            case .dot:
                svg.append("<circle cx=\"\(svgNumber(px + 10))\" cy=\"\(svgNumber(py))\" r=\"4.5\" fill=\"\(item.color)\"/>\n")
            }
            let shown = truncated(item.label, to: Self.labelLimit)
            svg.text(shown, x: px + 26, y: py, size: 12, tooltip: shown == item.label ? nil : item.label)
        }
    }
}
