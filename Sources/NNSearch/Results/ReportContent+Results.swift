import Foundation
import NNSearchKernel

extension ReportContent {
    /// Trials in the top table, top curves, and failed curves shown.
    static let tableRows = 20, topCurves = 5, failedCurves = 3
    /// Points drawn per hyperparameter chart at most: an even sample by trial number beyond it, so
    /// a 100,000-trial search still makes a page of a few MB that a browser opens at once.
    static let plottedTrials = 5000

    /// The report of a search's results as they stand, with their explanation.
    package init(results r: SearchResults, explanation e: Explanation, now: Date = Date()) {
        let metric = r.metric
        let varying = r.dimensions.enumerated().filter { !$0.element.fixed }
        let done = "\(r.trials.count)/\(r.trialCount) trials"
        let direction = metric.maximize ? "higher is better" : "lower is better"
        let ranked = r.ranked

        var rows = [[String]]()
        for (i, t) in ranked.prefix(Self.tableRows).enumerated() {
            rows.append([String(i + 1), String(t.number), t.status.rawValue, t.diagnosis?.rawValue ?? "-"]
                        + varying.map { t.values[$0.offset] }
                        + [t.metric.isNaN ? "-" : formatSignificant(t.metric, digits: 4)]
                        + (r.columns.crossValidated ? [t.metric.isNaN ? "-" : formatSignificant(metric == .valLoss ? t.valLossStd : t.valMetricStd, digits: 2)] : [])
                        + [formatSignificant(t.trainMetric, digits: 4), String(t.epochs), String(format: "%.2f", t.seconds)])
        }

        // Best so far: by trial number, and by when each result was recorded.
        func bestSoFar(_ trials: [TrialOutcome], x: (TrialOutcome) -> Double) -> [(x: Double, y: Double)] {
            var best: Double? = nil
            var points = [(x: Double, y: Double)]()
            // Only the improvements, and the last trial: the step line between them is flat.
            for t in trials where !t.metric.isNaN {
                if best.map({ r.isBetter(t.metric, than: $0) }) ?? true {
                    best = t.metric
                    points.append((x(t), t.metric))
                }
            }
            if let last = trials.last(where: { !$0.metric.isNaN }), let best, points.last?.x != x(last) {
                points.append((x(last), best))
            }
            return points
        }
        let start = r.started ?? r.trials.map(\.time).min() ?? 0

        // Learning curves: the best completed trials, then the worst failed ones.
        var curves = [Curve]()
        for t in ranked.prefix(Self.topCurves) where !t.metric.isNaN {
            curves.append(Self.curve(r, t, kind: .top, label: "trial \(t.number) · \(formatSignificant(t.metric, digits: 4))"))
        }
        let failed = r.trials.filter(Explanation.failed)
            .sorted { ($0.status == .diverged ? 0 : 1, $0.valMetric.isNaN ? -Double.infinity : $0.valMetric, $0.number)
                    < ($1.status == .diverged ? 0 : 1, $1.valMetric.isNaN ? -Double.infinity : $1.valMetric, $1.number) }
        for t in failed.prefix(Self.failedCurves) {
            curves.append(Self.curve(r, t, kind: .failed, label: "trial \(t.number) · \(t.diagnosis?.rawValue ?? t.status.rawValue)"))
        }

        var plotted = r.trials.sorted { $0.number < $1.number }
        if plotted.count > Self.plottedTrials {
            let step = Double(plotted.count) / Double(Self.plottedTrials)
            plotted = (0..<Self.plottedTrials).map { plotted[Int(Double($0) * step)] }
        }
        let plots = varying.map { (d, dim) -> HyperparameterPlot in
            let scale: HyperparameterPlot.Scale
            switch dim.kind {
            case .categorical(let values): scale = .categorical(values)
            case .numeric(_, _, let log): scale = .numeric(log: log)
            }
            let points = plotted.map { t -> HyperparameterPlot.Point in
                let label = t.status == .pruned ? "pruned" : t.diagnosis?.rawValue ?? t.status.rawValue
                if case .numeric = dim.kind, let x = Double(t.values[d]) {
                    return .init(x: x, metric: t.metric, diagnosis: label)
                }
                return .init(category: t.values[d], metric: t.metric, diagnosis: label)
            }
            return HyperparameterPlot(name: dim.name, scale: scale, points: points)
        }

        var counts = Diagnosis.allCases.map { ($0.rawValue, e.diagnoses[$0] ?? 0) }
        counts.append(("pruned", r.trials.filter { $0.status == .pruned }.count))

        let formatter = ISO8601DateFormatter()
        self.init(
            title: "\(r.spec.name) — \(r.folder.path)",
            subtitle: "\(r.phase.name) · \(done) · \(formatDuration(r.elapsed)) · ranked by \(metric.rawValue) (\(direction))"
                + (r.spec.validation.crossValidation.map { " · mean over \($0.folds) folds" + ($0.repeats == 1 ? "" : " × \($0.repeats) repeats") } ?? ""),
            metricName: metric.rawValue, maximize: metric.maximize,
            columns: ["rank", "trial", "status", "diagnosis"] + varying.map(\.element.name)
                + [metric.rawValue] + (r.columns.crossValidated ? [metric.rawValue + "_std"] : [])
                + [r.columns.trainMetricColumn, "epochs", "seconds"],
            topTrials: rows,
            bestSoFarByTrial: bestSoFar(r.trials.sorted { $0.number < $1.number }) { Double($0.number) },
            bestSoFarByTime: bestSoFar(r.trials.sorted { ($0.time, $0.number) < ($1.time, $1.number) }) { $0.time - start },
            curves: curves, perHyperparameter: plots,
            importance: e.factors.compactMap { f in f.importance.map { (f.name, $0) } },
            diagnosisCounts: counts, sentences: e.sentences,
            generated: formatter.string(from: now))
    }

    private static func curve(_ r: SearchResults, _ t: TrialOutcome, kind: Curve.Kind, label: String) -> Curve {
        let records = r.curve(t.number)
        let metric = records.map { (Double($0.epoch), r.metric == .valLoss ? $0.valLoss : $0.valMetric) }
        return Curve(label: label, kind: kind, metric: metric,
                     trainLoss: records.map { (Double($0.epoch), $0.trainLoss) },
                     valLoss: records.map { (Double($0.epoch), $0.valLoss) })
    }

}
