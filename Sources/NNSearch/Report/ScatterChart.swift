import Foundation

/// A scatter (strip) chart: y against a numeric x, linear or logarithmic, or against categories,
/// with each point coloured by its group.
///
/// Categories get one column each and their points are spread across it so they do not hide one
/// another. A point whose x is unusable is skipped; one whose y is NaN or infinite (a trial with
/// no metric, e.g. diverged) is drawn as a cross in a `none` band under the plot, so failures
/// still show where they happened. Points of a group that would land within a unit or so of
/// each other are drawn once, so 100,000 trials make megabytes of page, not tens of them.
struct ScatterChart {
    enum XKind {
        case numeric(log: Bool)
        /// The columns' labels; a point's x is its column's index.
        case categorical([String])
    }

    struct Point {
        var x: Double
        var y: Double
        var group: String
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var xKind: XKind
    var points: [Point]
    /// Each group's colour; a group not listed is grey.
    var colors: [String: String] = [:]
    /// Groups in drawing order (later ones on top); groups not listed are drawn first.
    var groupOrder: [String] = []
    var width = 340.0
    var plotHeight = 170.0
    var legend = false

    static let otherColor = "#777777"
    /// Height of the `none` band under the plot, for points with no finite y.
    static let noneBand = 26.0
    /// Room between the plot's border and its outermost points.
    static let inset = 6.0

    private var xScale: ChartAxis.Scale {
        if case .numeric(log: true) = xKind { return .log }
        return .linear
    }

    private var categories: [String]? {
        if case .categorical(let c) = xKind { return c }
        return nil
    }

    private func usableX(_ p: Point) -> Bool {
        if let categories {
            return p.x.isFinite && p.x >= 0 && Int(p.x) < categories.count && p.x == p.x.rounded()
        }
        return ChartAxis.accepts(p.x, xScale)
    }

    /// How the category labels are drawn: every `every`-th one, rotated or not, cut to `limit` characters.
    private func categoryLabels(slot: Double) -> (rotated: Bool, every: Int, limit: Int, band: Double) {
        guard let categories, !categories.isEmpty else { return (false, 1, 0, 0) }
        let widest = categories.map { textWidth($0, size: PlotFrame.tickSize) }.max() ?? 0
        if widest + 4 <= slot { return (false, 1, 40, 0) }
        let limit = 14
        let longest = categories.map { textWidth(truncated($0, to: limit), size: PlotFrame.tickSize) }.max() ?? 0
        let every = max(1, Int((16 / slot).rounded(.up)))
        return (true, every, limit, longest * sin(35 * Double.pi / 180) + 6)
    }

    /// The plot's rectangle, its axes, the extra band under the x axis for rotated labels, and where things go.
    func geometry() -> (frame: PlotFrame, x: ChartAxis?, y: ChartAxis?, noneBand: Double,
                        labelBand: Double, legendTop: Double, height: Double) {
        let usable = points.filter(usableX)
        let finite = usable.filter { $0.y.isFinite }
        let yAxis = ChartAxis(fitting: finite.map(\.y), scale: .linear, nice: true,
                              tickCount: max(2, Int(plotHeight / 40)))
        let left = PlotFrame.leftMargin(yAxis)
        var xAxis: ChartAxis? = nil
        var right = 16.0
        if categories == nil {
            let xs = usable.map(\.x)
            xAxis = PlotFrame.fitXAxis(xs, scale: xScale, nice: false, plotWidth: width - left - right)
            right = PlotFrame.rightMargin(xAxis)
            if right > 16 {
                xAxis = PlotFrame.fitXAxis(xs, scale: xScale, nice: false, plotWidth: width - left - right)
            }
        }
        let top = PlotFrame.titleBand
        let frame = PlotFrame(left: left, top: top, right: width - right, bottom: top + plotHeight,
                              insetX: categories == nil ? Self.inset : 0, insetY: Self.inset)
        let none = usable.contains { !$0.y.isFinite } ? Self.noneBand : 0
        let slot = frame.width / Double(max(1, categories?.count ?? 1))
        let labelBand = categoryLabels(slot: slot).band
        let legendHeight = legend ? legendBox(usable).height(width: width - 16) : 0
        let legendTop = frame.bottom + none + labelBand + PlotFrame.xBand + 6
        return (frame, xAxis, yAxis, none, labelBand, legendTop, legendTop + legendHeight + (legendHeight > 0 ? 4 : 0))
    }

    private func legendBox(_ usable: [Point]) -> ChartLegend {
        let present = Set(usable.map(\.group))
        return ChartLegend(items: orderedGroups(present).map { .init(label: $0, color: color($0), mark: .dot) })
    }

    private func color(_ group: String) -> String { colors[group] ?? Self.otherColor }

    private func orderedGroups(_ present: Set<String>) -> [String] {
        present.filter { !groupOrder.contains($0) }.sorted() + groupOrder.filter(present.contains)
    }

    /// The middle of the `none` band.
    private func noneY(_ f: PlotFrame) -> Double { f.bottom + 5 + (Self.noneBand - 7) / 2 }

    var svg: String {
        let g = geometry()
        let f = g.frame
        var svg = SVGWriter(width: width, height: g.height)
        PlotFrame.drawTitle(title, into: &svg)
        f.drawGrid(x: g.x, y: g.y, into: &svg)
        f.drawYAxis(g.y, label: yLabel, into: &svg)
        let usable = points.filter(usableX)

        // The x axis: numeric ticks, or one labelled column per category.
        if let categories {
            let slot = f.width / Double(max(1, categories.count))
            let labels = categoryLabels(slot: slot)
            let base = f.bottom + g.noneBand
            for (i, name) in categories.enumerated() {
                let cx = f.left + (Double(i) + 0.5) * slot
                if i > 0 { svg.line(f.left + Double(i) * slot, f.top, f.left + Double(i) * slot, f.bottom, stroke: "#eeeeee") }
                svg.line(cx, base, cx, base + 4, stroke: "#666")
                guard i % labels.every == 0 else { continue }
                let shown = truncated(name, to: labels.limit)
                let tip = shown == name ? nil : name
                if labels.rotated {
                    svg.text(shown, x: cx + 3, y: base + 10, anchor: .end, size: PlotFrame.tickSize, fill: "#333",
                             rotate: -35, tooltip: tip)
                } else {
                    svg.text(shown, x: cx, y: base + 12, anchor: .middle, size: PlotFrame.tickSize, fill: "#333", tooltip: tip)
                }
            }
            f.drawXLabel(xLabel, at: base + g.labelBand + 31, into: &svg)
        } else {
            f.drawXAxis(g.x, label: xLabel, bandBelow: g.noneBand, into: &svg)
        }
        if g.noneBand > 0 {
            svg.rect(f.left, f.bottom + 5, f.width, g.noneBand - 7, fill: "#f3f3f1")
            svg.text("none", x: f.left - 7, y: noneY(f), anchor: .end, size: PlotFrame.tickSize, fill: "#333")
        }
        guard !usable.isEmpty, categories != nil || g.x != nil else {
            f.drawNoData(into: &svg)
            return svg.svg(title: title)
        }
        if g.y == nil {
            svg.text("no finite value", x: f.left + f.width / 2, y: f.top + f.height / 2, anchor: .middle, size: 14, fill: "#666")
        }

        // Points, group by group, once per pixel; a spread within each category's column.
        var seenInColumn: [Int: Int] = [:]
        var marks: [String: (dots: [(Double, Double)], crosses: [(Double, Double)])] = [:]
        struct Cell: Hashable { var group: String, x: Int, y: Int, finite: Bool }
        var taken = Set<Cell>()
        for p in usable {
            var px: Double
            if let categories {
                let slot = f.width / Double(max(1, categories.count))
                let column = Int(p.x)
                let k = seenInColumn[column, default: 0]
                seenInColumn[column] = k + 1
                let spread = (Double(k) * 0.6180339887).truncatingRemainder(dividingBy: 1) - 0.5
                px = f.left + (p.x + 0.5) * slot + spread * min(slot * 0.6, 36)
            } else {
                px = f.x(g.x!.fraction(p.x))
            }
            let finite = p.y.isFinite
            let py = finite ? f.y(g.y!.fraction(p.y)) : noneY(f)
            // Dots are 7 units wide: one per 2×2 cell of a group is all the eye can tell apart.
            let cell = Cell(group: p.group, x: Int((px / 2).rounded()), y: Int((py / 2).rounded()), finite: finite)
            guard taken.insert(cell).inserted else { continue }
            if finite { marks[p.group, default: ([], [])].dots.append((px, py)) }
            else { marks[p.group, default: ([], [])].crosses.append((px, py)) }
        }
        for group in orderedGroups(Set(marks.keys)) {
            let c = color(group)
            guard let m = marks[group] else { continue }
            for (px, py) in m.dots {
                svg.append("<circle cx=\"\(svgNumber(px))\" cy=\"\(svgNumber(py))\" r=\"3.5\" fill=\"\(c)\" fill-opacity=\"0.75\"/>\n")
            }
            if !m.crosses.isEmpty {
                let d = m.crosses.map { "M\(svgNumber($0.0 - 3)) \(svgNumber($0.1 - 3))l6 6m0 -6l-6 6" }.joined()
                svg.append("<path d=\"\(d)\" stroke=\"\(c)\" stroke-width=\"1.8\" fill=\"none\"/>\n")
            }
        }
        if legend {
            legendBox(usable).draw(x: 8, y: g.legendTop + ChartLegend.rowHeight / 2, width: width - 16, into: &svg)
        }
        return svg.svg(title: title)
    }
}
