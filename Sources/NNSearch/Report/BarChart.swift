/// A horizontal bar chart: one labelled bar per item, its value written at the bar's end.
///
/// Bars start at zero on a linear axis widened to whole ticks; a value that is NaN or infinite
/// gets no bar (its row stays, with its text).
struct BarChart {
    struct Bar {
        var label: String
        var value: Double
        /// Written after the bar, e.g. `12 (30 %)`.
        var valueText: String
        var color: String
    }

    var title: String
    var valueLabel: String
    var bars: [Bar]
    var format: ChartAxis.Format = .number
    var width = 460.0
    var barHeight = 20.0
    var gap = 8.0

    static let labelLimit = 24

    /// The plot's rectangle and its value axis, as drawn.
    func geometry() -> (frame: PlotFrame, x: ChartAxis?, height: Double) {
        let labels = bars.map { textWidth(truncated($0.label, to: Self.labelLimit)) }.max() ?? 0
        let texts = bars.map { textWidth($0.valueText) }.max() ?? 0
        let left = 8 + max(labels, 30) + 10
        let right = max(16, texts + 12)
        let top = PlotFrame.titleBand
        let rows = max(bars.count, 2)
        let bottom = top + Double(rows) * (barHeight + gap) + gap
        let plotWidth = width - left - right
        var count = max(2, Int(plotWidth / 60))
        var axis: ChartAxis? = nil
        while true {
            axis = ChartAxis(fitting: bars.map(\.value), scale: .linear, nice: true, tickCount: count,
                             includingZero: true, format: format)
            guard let a = axis, count > 2 else { break }
            let widest = a.ticks.map { textWidth(a.label($0), size: PlotFrame.tickSize) }.max() ?? 0
            if widest + 14 <= plotWidth / Double(max(1, a.ticks.count - 1)) { break }
            count -= 1
        }
        let frame = PlotFrame(left: left, top: top, right: width - right, bottom: bottom)
        return (frame, axis, bottom + PlotFrame.xBand + 4)
    }

    var svg: String {
        let g = geometry()
        let f = g.frame
        var svg = SVGWriter(width: width, height: g.height)
        PlotFrame.drawTitle(title, into: &svg)
        f.drawGrid(x: g.x, y: nil, into: &svg)
        f.drawXAxis(g.x, label: valueLabel, into: &svg)
        guard let axis = g.x, !bars.isEmpty else {
            f.drawNoData(into: &svg)
            return svg.svg(title: title)
        }
        let zero = f.x(axis.fraction(0))
        for (i, bar) in bars.enumerated() {
            let top = f.top + gap + Double(i) * (barHeight + gap)
            let middle = top + barHeight / 2
            let shown = truncated(bar.label, to: Self.labelLimit)
            svg.text(shown, x: f.left - 8, y: middle, anchor: .end, tooltip: shown == bar.label ? nil : bar.label)
            var end = zero
            if bar.value.isFinite {
                end = f.x(axis.fraction(bar.value))
                svg.rect(min(zero, end), top, abs(end - zero), barHeight, fill: bar.color,
                         tooltip: "\(bar.label): \(bar.valueText)")
            }
            svg.text(bar.valueText, x: max(zero, end) + 5, y: middle, fill: "#222")
        }
        return svg.svg(title: title)
    }
}
