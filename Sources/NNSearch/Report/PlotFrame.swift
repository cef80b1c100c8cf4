/// The rectangle inside a chart where the data goes, with the title, axes, grid and labels
/// around it, laid out so that no tick label is clipped or overlaps its neighbour.
struct PlotFrame {
    static let titleSize = 14.0
    static let tickSize = 12.0
    static let labelSize = 12.0
    /// Height of the band above the plot that holds the visible title.
    static let titleBand = 30.0
    /// Height of the x tick labels plus the x axis label below the plot.
    static let xBand = 40.0

    let left: Double
    let top: Double
    let right: Double
    let bottom: Double
    /// The room kept between the border and the x axis's ends, so dots at the ends stay whole.
    let insetX: Double
    /// The room kept between the border and the y axis's ends, so a line at an end is not hidden by the border.
    let insetY: Double
    var width: Double { right - left }
    var height: Double { bottom - top }

    init(left: Double, top: Double, right: Double, bottom: Double, insetX: Double = 0, insetY: Double = 0) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
        self.insetX = insetX
        self.insetY = insetY
    }

    /// The horizontal position of a fraction of the x axis (0 is its left end, 1 its right end).
    func x(_ fraction: Double) -> Double { left + insetX + fraction * (width - 2 * insetX) }
    /// The vertical position of a fraction of the y axis (0 is its bottom end, 1 its top end).
    func y(_ fraction: Double) -> Double { bottom - insetY - fraction * (height - 2 * insetY) }

    /// Space left of the plot for the y axis: its rotated label, then its widest tick label.
    static func leftMargin(_ axis: ChartAxis?) -> Double {
        let labels = axis.map { a in a.ticks.map { textWidth(a.label($0), size: tickSize) }.max() ?? 0 } ?? 0
        return 8 + labelSize + 8 + max(labels, 12) + 8
    }

    /// Space right of the plot: enough for half of the last x tick label, centred on the edge.
    static func rightMargin(_ axis: ChartAxis?) -> Double {
        let last = axis.flatMap { a in a.ticks.last.map { textWidth(a.label($0), size: tickSize) } } ?? 0
        return max(16, last / 2 + 6)
    }

    /// An x axis over `values` whose tick labels, centred on their ticks, stay at least 14 units apart.
    static func fitXAxis(_ values: [Double], scale: ChartAxis.Scale, nice: Bool, plotWidth: Double,
                         format: ChartAxis.Format = .number) -> ChartAxis? {
        var count = max(2, Int(plotWidth / 60))
        while true {
            guard let axis = ChartAxis(fitting: values, scale: scale, nice: nice, tickCount: count, format: format)
            else { return nil }
            if count == 2 || axis.ticks.count < 2 { return axis }
            let widest = axis.ticks.map { textWidth(axis.label($0), size: tickSize) }.max() ?? 0
            let gap = zip(axis.ticks, axis.ticks.dropFirst())
                .map { plotWidth * abs(axis.fraction($1) - axis.fraction($0)) }.min() ?? plotWidth
            if widest + 14 <= gap { return axis }
            count -= 1
        }
    }

    // MARK: - Drawing

    /// The chart's visible title, left-aligned above the plot and cut to fit the chart's width.
    static func drawTitle(_ title: String, into svg: inout SVGWriter) {
        let shown = fitted(title, width: svg.width - 16, size: titleSize, bold: true)
        svg.text(shown, x: 8, y: titleBand / 2 + 2, size: titleSize, bold: true, tooltip: shown == title ? nil : title)
    }

    /// The plot's background grid (at the axes' ticks) and its border.
    func drawGrid(x: ChartAxis?, y: ChartAxis?, into svg: inout SVGWriter) {
        svg.rect(left, top, width, height, fill: "#fff", stroke: "#bbb")
        for t in y?.ticks ?? [] {
            let py = self.y(y!.fraction(t))
            if py > top + 0.5 && py < bottom - 0.5 { svg.line(left, py, right, py, stroke: "#e4e4e4") }
        }
        for t in x?.ticks ?? [] {
            let px = self.x(x!.fraction(t))
            if px > left + 0.5 && px < right - 0.5 { svg.line(px, top, px, bottom, stroke: "#e4e4e4") }
        }
    }

    /// The y axis's tick labels and its rotated label, left of the plot.
    func drawYAxis(_ axis: ChartAxis?, label: String, into svg: inout SVGWriter) {
        for t in axis?.ticks ?? [] {
            let py = y(axis!.fraction(t))
            svg.line(left - 4, py, left, py, stroke: "#666")
            svg.text(axis!.label(t), x: left - 7, y: py, anchor: .end, size: Self.tickSize, fill: "#333")
        }
        let shown = fitted(label, width: height, size: Self.labelSize)
        svg.text(shown, x: 8 + Self.labelSize / 2, y: top + height / 2, anchor: .middle,
                 size: Self.labelSize, fill: "#222", rotate: -90, tooltip: shown == label ? nil : label)
    }

    /// The x axis's tick labels and its label, below the plot (below `bandBelow` extra units).
    func drawXAxis(_ axis: ChartAxis?, label: String, bandBelow: Double = 0, into svg: inout SVGWriter) {
        let base = bottom + bandBelow
        for t in axis?.ticks ?? [] {
            let px = x(axis!.fraction(t))
            svg.line(px, base, px, base + 4, stroke: "#666")
            svg.text(axis!.label(t), x: px, y: base + 12, anchor: .middle, size: Self.tickSize, fill: "#333")
        }
        drawXLabel(label, at: base + 31, into: &svg)
    }

    /// The x axis's label, centred under the plot at height `y`.
    func drawXLabel(_ label: String, at y: Double, into svg: inout SVGWriter) {
        let shown = fitted(label, width: width, size: Self.labelSize)
        svg.text(shown, x: left + width / 2, y: y, anchor: .middle, size: Self.labelSize,
                 tooltip: shown == label ? nil : label)
    }

    /// `no data`, centred in the plot.
    func drawNoData(into svg: inout SVGWriter) {
        svg.text("no data", x: left + width / 2, y: top + height / 2, anchor: .middle, size: 14, fill: "#666")
    }
}
