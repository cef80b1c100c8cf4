import Foundation

/// The report as one self-contained HTML document: inline CSS and inline SVG only, no script,
/// no font, image or stylesheet fetched, and a Content-Security-Policy that forbids fetching any.
///
/// Its sections have stable ids, in this order: `summary`, `explanation`, `diagnosis`,
/// `importance`, `top-trials`, `best-so-far`, `curves`, `hyperparameters`. Every chart is an
/// `<svg>`; there are `chartCount(_:)` of them. All text from the content is escaped.
package enum ReportPage {
    /// The section ids, in page order.
    package static let sectionIDs = [
        "summary", "explanation", "diagnosis", "importance", "top-trials", "best-so-far", "curves", "hyperparameters",
    ]

    /// How many `<svg>` charts the page for `content` holds: diagnosis, importance, two best-so-far,
    /// three learning-curve charts, and one per hyperparameter.
    package static func chartCount(_ content: ReportContent) -> Int {
        7 + content.perHyperparameter.count
    }

    /// The whole document.
    package static func html(_ content: ReportContent) -> String {
        let title = content.title.isEmpty ? "nnsearch report" : content.title
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="generator" content="nnsearch report">
        <meta name="nnsearch-charts" content="\(chartCount(content))">
        <link rel="icon" href="data:,">
        <title>\(htmlEscaped(title)) · nnsearch report</title>
        <style>
        \(ReportStyle.css)</style>
        </head>
        <body>
        <main>

        """
        html += summary(content, title: title)
        html += explanation(content)
        html += diagnosis(content)
        html += importance(content)
        html += topTrials(content)
        html += bestSoFar(content)
        html += curves(content)
        html += hyperparameters(content)
        html += "<footer>nnsearch report"
        if !content.generated.isEmpty { html += " · generated \(htmlEscaped(content.generated))" }
        html += "</footer>\n</main>\n</body>\n</html>\n"
        return html
    }

    // MARK: - Sections

    private static let headings = [
        "summary": "Summary", "explanation": "What happened", "diagnosis": "Diagnosis",
        "importance": "What mattered", "top-trials": "Top trials", "best-so-far": "Best so far",
        "curves": "Learning curves", "hyperparameters": "Metric by hyperparameter",
    ]

    private static func open(_ id: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(headings[id]!)</h2>\n"
    }

    private static func figure(_ svg: String, single: Bool = false) -> String {
        "<figure\(single ? " class=\"single\"" : "")>\(svg)</figure>\n"
    }

    private static func direction(_ content: ReportContent) -> String {
        content.maximize ? "higher is better" : "lower is better"
    }

    private static func summary(_ content: ReportContent, title: String) -> String {
        var s = "<section id=\"summary\">\n<h1>\(htmlEscaped(title))</h1>\n"
        if !content.subtitle.isEmpty { s += "<p class=\"subtitle\">\(htmlEscaped(content.subtitle))</p>\n" }
        if !content.generated.isEmpty { s += "<p class=\"generated\">Generated \(htmlEscaped(content.generated))</p>\n" }
        s += "<nav><ul>"
        for id in sectionIDs.dropFirst() { s += "<li><a href=\"#\(id)\">\(headings[id]!)</a></li>" }
        return s + "</ul></nav>\n</section>\n"
    }

    private static func explanation(_ content: ReportContent) -> String {
        var s = open("explanation") + "<div class=\"sentences\">\n"
        if content.sentences.isEmpty { s += "<p class=\"note\">No explanation yet.</p>\n" }
        for sentence in content.sentences { s += "<p>\(htmlEscaped(sentence))</p>\n" }
        return s + "</div>\n</section>\n"
    }

    private static func diagnosis(_ content: ReportContent) -> String {
        let total = content.diagnosisCounts.reduce(0) { $0 + max(0, $1.count) }
        let bars = content.diagnosisCounts.map { kind, count in
            let percent = total > 0 ? Double(count) / Double(total) * 100 : 0
            let share = count == 0 ? "" : percent < 1 ? " (<1 %)" : " (\(Int(percent.rounded())) %)"
            return BarChart.Bar(label: kind, value: Double(count), valueText: "\(count)\(share)",
                                color: ReportPalette.diagnosisColor(kind))
        }
        let chart = BarChart(title: "Trials by diagnosis (\(total) in all)", valueLabel: "trials", bars: bars)
        return open("diagnosis") + figure(chart.svg, single: true) + "</section>\n"
    }

    private static func importance(_ content: ReportContent) -> String {
        let bars = content.importance.map { name, share in
            let percent = share * 100
            let text = !share.isFinite ? "–" : percent > 0 && percent < 1 ? "<1 %" : "\(Int(percent.rounded())) %"
            return BarChart.Bar(label: name, value: share, valueText: text, color: ReportPalette.neutral)
        }
        let chart = BarChart(title: "Share of \(content.metricName) variation",
                             valueLabel: "share of the variation explained", bars: bars, format: .percent)
        var s = open("importance")
        s += figure(chart.svg, single: true)
        return s + "</section>\n"
    }

    private static func topTrials(_ content: ReportContent) -> String {
        var s = open("top-trials")
        guard !content.topTrials.isEmpty else {
            return s + "<p class=\"note\">No trial has finished yet.</p>\n</section>\n"
        }
        let width = max(content.columns.count, content.topTrials.map(\.count).max() ?? 0)
        let header = content.columns + Array(repeating: "", count: width - content.columns.count)
        let numeric = (0..<width).map { i in
            content.topTrials.allSatisfy { row in i >= row.count || row[i].isEmpty || isNumber(row[i]) }
        }
        let diagnosisColumn = header.firstIndex(of: "diagnosis")
        if width > 4 { s += "<p class=\"note narrow-only\">The table scrolls sideways.</p>\n" }
        s += "<div class=\"table-wrap\"><table>\n<thead><tr>"
        for (i, name) in header.enumerated() {
            s += numeric[i] ? "<th class=\"num\">" : "<th>"
            s += htmlEscaped(name) + "</th>"
        }
        s += "</tr></thead>\n<tbody>\n"
        for row in content.topTrials {
            s += "<tr>"
            for i in 0..<width {
                let cell = i < row.count ? row[i] : ""
                s += numeric[i] ? "<td class=\"num\">" : "<td>"
                if i == diagnosisColumn && !cell.isEmpty {
                    s += "<span class=\"chip \(ReportPalette.diagnosisClass(cell))\"></span>"
                }
                s += htmlEscaped(cell) + "</td>"
            }
            s += "</tr>\n"
        }
        return s + "</tbody>\n</table></div>\n</section>\n"
    }

    private static func isNumber(_ text: String) -> Bool {
        Double(text.trimmingCharacters(in: .whitespaces)) != nil
    }

    private static func bestSoFar(_ content: ReportContent) -> String {
        let metric = content.metricName
        let byTrial = LineChart(
            title: "Best \(metric) so far, by trial", xLabel: "trial number", yLabel: "best \(metric)",
            series: [.init(label: "best so far", points: content.bestSoFarByTrial, color: ReportPalette.best,
                           step: true, markers: true)],
            legend: false)
        let (unit, divisor) = timeUnit(content.bestSoFarByTime.map(\.x))
        let byTime = LineChart(
            title: "Best \(metric) so far, by time", xLabel: "\(unit) since the start", yLabel: "best \(metric)",
            series: [.init(label: "best so far", points: content.bestSoFarByTime.map { ($0.x / divisor, $0.y) },
                           color: ReportPalette.best, step: true, markers: true)],
            xFromZero: true, legend: false)
        return open("best-so-far")
            + "<p class=\"note\">Each dot is a trial that beat every earlier one (\(direction(content))).</p>\n"
            + "<div class=\"charts\">\n" + figure(byTrial.svg) + figure(byTime.svg) + "</div>\n</section>\n"
    }

    /// The unit that keeps times readable: seconds up to 3 minutes, minutes up to 3 hours, then hours.
    static func timeUnit(_ seconds: [Double]) -> (name: String, seconds: Double) {
        let longest = seconds.filter(\.isFinite).max() ?? 0
        if longest > 3 * 3600 { return ("hours", 3600) }
        if longest > 180 { return ("minutes", 60) }
        return ("seconds", 1)
    }

    private static func curves(_ content: ReportContent) -> String {
        var top = 0, failed = 0
        var styles: [(color: String, dash: String?)] = []
        for curve in content.curves {
            switch curve.kind {
            case .top:
                styles.append((ReportPalette.topCurves[top % ReportPalette.topCurves.count], nil))
                top += 1
            case .failed:
                styles.append((ReportPalette.failedCurves[failed % ReportPalette.failedCurves.count], ReportPalette.failedDash))
                failed += 1
            }
        }
        func series(_ points: (ReportContent.Curve) -> [(epoch: Double, value: Double)]) -> [LineChart.Series] {
            zip(content.curves, styles).map { curve, style in
                LineChart.Series(label: curve.label, points: points(curve).map { ($0.epoch, $0.value) },
                                 color: style.color, dash: style.dash)
            }
        }
        let losses = content.curves.flatMap { $0.trainLoss + $0.valLoss }.map(\.value).filter(\.isFinite)
        // Losses that span more than a factor of 30 (a diverging trial) are read on a log axis.
        let logLoss = !losses.isEmpty && losses.allSatisfy { $0 > 0 } && losses.max()! / losses.min()! > 30
        // One key beside the first chart serves all three, which then keep their height for the data.
        let metricChart = LineChart(title: "Validation \(content.metricName) by epoch", xLabel: "epoch",
                                    yLabel: content.metricName, series: series(\.metric), legend: false)
        let trainChart = LineChart(title: "Training loss by epoch", xLabel: "epoch", yLabel: "training loss",
                                   series: series(\.trainLoss), logY: logLoss, alsoCoverY: losses, legend: false)
        let valChart = LineChart(title: "Validation loss by epoch", xLabel: "epoch", yLabel: "validation loss",
                                 series: series(\.valLoss), logY: logLoss, alsoCoverY: losses, legend: false)
        var key = "<div class=\"curve-key\"><p class=\"key-title\">Trials shown</p>\n<ul>"
        for (curve, style) in zip(content.curves, styles) {
            let border = "border-top: 3px \(style.dash == nil ? "solid" : "dashed") \(style.color)"
            key += "<li><span class=\"swatch\" style=\"\(border)\"></span>\(htmlEscaped(curve.label))</li>"
        }
        if content.curves.isEmpty { key += "<li>none yet</li>" }
        key += "</ul></div>\n"
        var note = top > 0 ? "Solid lines: the \(top) best trial\(top == 1 ? "" : "s")" : "No trial finished well"
        note += failed > 0 ? "; dashed: the \(failed) worst failed one\(failed == 1 ? "" : "s")." : "; none failed."
        if content.curves.isEmpty { note = "No learning curve yet." }
        if logLoss { note += " Losses are on a logarithmic scale; both loss charts share it." }
        else if !losses.isEmpty { note += " Both loss charts share one scale." }
        return open("curves") + "<p class=\"note\">\(htmlEscaped(note))</p>\n<div class=\"charts\">\n"
            + figure(metricChart.svg) + key + figure(trainChart.svg) + figure(valChart.svg) + "</div>\n</section>\n"
    }

    private static func hyperparameters(_ content: ReportContent) -> String {
        var s = open("hyperparameters")
        guard !content.perHyperparameter.isEmpty else {
            return s + "<p class=\"note\">No hyperparameter varies in this search.</p>\n</section>\n"
        }
        // One key for every chart: the diagnoses that occur, in drawing order.
        let present = Set(content.perHyperparameter.flatMap { $0.points.map(\.diagnosis) })
        let known = ReportPalette.diagnoses.map(\.kind)
        let kinds = known.filter(present.contains) + present.filter { !known.contains($0) }.sorted()
        s += "<ul class=\"key\">"
        for kind in kinds {
            s += "<li><span class=\"chip \(ReportPalette.diagnosisClass(kind))\"></span>\(htmlEscaped(kind))</li>"
        }
        let missing = content.perHyperparameter.contains { $0.points.contains { !$0.metric.isFinite } }
        if missing { s += "<li><span class=\"cross\">×</span>no \(htmlEscaped(content.metricName)) (drawn under the axis)</li>" }
        s += "</ul>\n<div class=\"charts small\">\n"
        let colors = Dictionary(ReportPalette.diagnoses.map { ($0.kind, $0.color) }, uniquingKeysWith: { a, _ in a })
        for plot in content.perHyperparameter {
            let chart = scatter(plot, metric: content.metricName, colors: colors, order: known)
            s += figure(chart.svg)
        }
        return s + "</div>\n</section>\n"
    }

    /// One hyperparameter's chart: numbers on a (log) number line, categories in listed order then first seen.
    static func scatter(_ plot: ReportContent.HyperparameterPlot, metric: String, colors: [String: String],
                        order: [String]) -> ScatterChart {
        var kind: ScatterChart.XKind
        var points: [ScatterChart.Point] = []
        switch plot.scale {
        case .numeric(let log):
            kind = .numeric(log: log)
            for p in plot.points {
                guard case .number(let x) = p.value else { continue }
                points.append(.init(x: x, y: p.metric, group: p.diagnosis))
            }
        case .categorical(let listed):
            var names = listed
            var index = Dictionary(listed.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for p in plot.points {
                let name: String
                switch p.value {
                case .category(let c): name = c
                case .number(let x): name = x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
                }
                if index[name] == nil {
                    index[name] = names.count
                    names.append(name)
                }
                points.append(.init(x: Double(index[name]!), y: p.metric, group: p.diagnosis))
            }
            kind = .categorical(names)
        }
        return ScatterChart(title: plot.name, xLabel: plot.name, yLabel: metric, xKind: kind, points: points,
                            colors: colors, groupOrder: order)
    }
}
