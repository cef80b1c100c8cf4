/// A line chart: one or more series against a shared numeric x, y linear or logarithmic.
///
/// A point that is NaN or infinite (or not positive, on a log axis) is skipped and breaks its
/// line; a point left with no neighbour is drawn as a dot. The x axis spans the data exactly,
/// so the largest x lands on the plot's right edge; the y axis is widened to whole ticks.
struct LineChart {
    struct Series {
        var label: String
        var points: [(x: Double, y: Double)]
        var color: String
        /// An SVG dash array, e.g. `6 4`; nil for a solid line.
        var dash: String? = nil
        /// Drawn as steps that hold each value until the next point (a running best).
        var step = false
        /// A dot on every point where the value changes, not only on isolated points.
        var markers = false
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var logX = false
    var logY = false
    /// Whether the x axis starts at zero (e.g. time since a start) rather than at the first point.
    var xFromZero = false
    /// More values the y axis must cover, so charts drawn side by side can share one y range.
    var alsoCoverY: [Double] = []
    var width = 460.0
    var plotHeight = 210.0
    /// Whether to draw the series' legend under the plot.
    var legend = true

    var xScale: ChartAxis.Scale { logX ? .log : .linear }
    var yScale: ChartAxis.Scale { logY ? .log : .linear }

    /// The usable points of every series (both coordinates placeable on the axes).
    private func usable(_ s: Series) -> [(x: Double, y: Double)] {
        s.points.filter { ChartAxis.accepts($0.x, xScale) && ChartAxis.accepts($0.y, yScale) }
    }

    /// The plot's rectangle and its axes, as drawn.
    func geometry() -> (frame: PlotFrame, x: ChartAxis?, y: ChartAxis?, legendTop: Double, height: Double) {
        let points = series.flatMap(usable)
        let hasData = !points.isEmpty
        let yAxis = hasData
            ? ChartAxis(fitting: points.map(\.y) + alsoCoverY, scale: yScale, nice: true,
                        tickCount: max(2, Int(plotHeight / 45)))
            : nil
        let left = PlotFrame.leftMargin(yAxis)
        let xs = points.map(\.x) + (xFromZero && hasData && xScale == .linear ? [0] : [])
        var xAxis = PlotFrame.fitXAxis(xs, scale: xScale, nice: false, plotWidth: width - left - 16)
        var right = PlotFrame.rightMargin(xAxis)
        if right > 16 {
            xAxis = PlotFrame.fitXAxis(xs, scale: xScale, nice: false, plotWidth: width - left - right)
            right = PlotFrame.rightMargin(xAxis)
        }
        let top = PlotFrame.titleBand
        // Lines at the y axis's ends stay clear of the border; the x axis ends at the border.
        let frame = PlotFrame(left: left, top: top, right: width - right, bottom: top + plotHeight, insetY: 4)
        let legendHeight = legend && hasData ? legendBox.height(width: width - 16) : 0
        let legendTop = frame.bottom + PlotFrame.xBand + 6
        return (frame, xAxis, yAxis, legendTop, legendTop + legendHeight + (legendHeight > 0 ? 4 : 0))
    }

    private var legendBox: ChartLegend {
        ChartLegend(items: series.filter { !usable($0).isEmpty }
            .map { .init(label: $0.label, color: $0.color, mark: .line(dash: $0.dash)) })
    }

    var svg: String {
        let g = geometry()
        var svg = SVGWriter(width: width, height: g.height)
        PlotFrame.drawTitle(title, into: &svg)
        g.frame.drawGrid(x: g.x, y: g.y, into: &svg)
        g.frame.drawYAxis(g.y, label: yLabel, into: &svg)
        g.frame.drawXAxis(g.x, label: xLabel, into: &svg)
        guard let xAxis = g.x, let yAxis = g.y else {
            g.frame.drawNoData(into: &svg)
            return svg.svg(title: title)
        }
        for s in series {
            draw(s, frame: g.frame, x: xAxis, y: yAxis, into: &svg)
        }
        if legend {
            legendBox.draw(x: 8, y: g.legendTop + ChartLegend.rowHeight / 2, width: width - 16, into: &svg)
        }
        return svg.svg(title: title)
    }

    /// One series as a path broken at unusable points, with dots where a point stands alone.
    private func draw(_ s: Series, frame: PlotFrame, x: ChartAxis, y: ChartAxis, into svg: inout SVGWriter) {
        var path = ""
        var dots: [(Double, Double)] = []
        var segment: [(x: Double, y: Double)] = []
        func flush() {
            defer { segment = [] }
            guard let first = segment.first else { return }
            if segment.count == 1 {
                dots.append((first.x, first.y))
                return
            }
            path += "M\(svgNumber(first.x)) \(svgNumber(first.y))"
            var level = first.y
            for (i, p) in segment.enumerated().dropFirst() {
                if s.step {
                    // Hold the level; only a change (or the last point) adds a corner.
                    if p.y == level && i < segment.count - 1 { continue }
                    path += "H\(svgNumber(p.x))"
                    if p.y != level {
                        path += "V\(svgNumber(p.y))"
                        if s.markers { dots.append((p.x, p.y)) }
                    }
                    level = p.y
                } else {
                    path += "L\(svgNumber(p.x)) \(svgNumber(p.y))"
                    if s.markers { dots.append((p.x, p.y)) }
                }
            }
            if s.markers { dots.append((first.x, first.y)) }
        }
        for p in s.points {
            if ChartAxis.accepts(p.x, xScale) && ChartAxis.accepts(p.y, yScale) {
                segment.append((frame.x(x.fraction(p.x)), frame.y(y.fraction(p.y))))
            } else {
                flush()
            }
        }
        flush()
        if !path.isEmpty {
            svg.append("<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" "
                + "stroke-linejoin=\"round\" stroke-linecap=\"round\""
                + (s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n")
        }
        for (px, py) in dots {
            svg.append("<circle cx=\"\(svgNumber(px))\" cy=\"\(svgNumber(py))\" r=\"3\" fill=\"\(s.color)\"/>\n")
        }
    }
}
