import Foundation
import NNSearchKernel

/// What a search's finished trials say, in numbers and in plain sentences: `nnsearch explain`.
///
/// A pure value computed from `SearchResults`: for each hyperparameter the best and median metric
/// per value (ranges binned) and its importance (fANOVA, see `Importance`), then sentences
/// generated from those figures — never written per data set — and a narrowed next spec.
package struct Explanation: Sendable {
    /// One value (or bin of a range) of a hyperparameter and how its trials did.
    package struct Group: Sendable {
        /// The value as the CSV writes it, or a bin as `[a, b)`.
        package var label: String
        package var trials: Int
        /// How many of them completed (the best and median are theirs).
        package var completed: Int
        /// Best and median of the metric over the trials that completed (NaN when none did).
        package var best: Double
        package var median: Double
        /// How many of its trials got each diagnosis.
        package var diagnoses: [Diagnosis: Int]
    }

    /// One hyperparameter: its importance and its groups.
    package struct Factor: Sendable {
        package var name: String
        /// Share of the metric's variance it explains alone (0…1), nil when it was not computed.
        package var importance: Double?
        package var groups: [Group]
    }

    package var metric: Metric
    /// Trials read (finished), of the search's count.
    package var finished: Int
    package var total: Int
    package var best: TrialOutcome?
    /// Hyperparameters that vary, most important first.
    package var factors: [Factor]
    /// How many finished trials got each diagnosis.
    package var diagnoses: [Diagnosis: Int]
    /// The plain-language findings, most telling first.
    package var sentences: [String]

    // MARK: - Thresholds

    /// Beats chance on validation: at least 5 points of accuracy (or 0.05 of R²) above it, and more
    /// than two standard errors of the split's accuracy (`ChanceLevel.accuracyNoise`: 4.7 points for
    /// 400 rows at 33 %, 10.5 for 80).
    static let aboveChance = 0.05
    /// "Diverged in most": at least 70 % of the trials at or above a value (and at least 2), while
    /// at most 30 % of those below did.
    static let divergedShare = 0.7
    static let divergedBelowShare = 0.3
    /// A value "fails" when at least 3 in 4 of its trials stayed at chance or diverged.
    static let mostlyFailedShare = 0.75
    /// A hyperparameter is named as mattering when it explains at least 10 % of the variance.
    static let importantShare = 0.10
    /// The importance model is fit on at most this many trials (an even sample by trial number):
    /// enough for shares within a few points, and it keeps a live report of a 100,000-trial grid cheap.
    static let importanceTrials = 2000
    /// A range is shown in at most this many bins.
    static let bins = 5

    // MARK: - Building

    /// Explains `results` as they stand (a running search: the trials finished so far).
    package init(_ results: SearchResults) {
        metric = results.metric
        finished = results.trials.count
        total = results.trialCount
        best = results.best
        let trials = results.trials
        var counts: [Diagnosis: Int] = [:]
        for t in trials where t.status != .pruned { if let d = t.diagnosis { counts[d, default: 0] += 1 } }
        diagnoses = counts

        let varying = results.dimensions.enumerated().filter { !$0.element.fixed }
        let importances = Self.importances(results, dimensions: varying.map(\.offset))
        factors = varying.enumerated().map { (k, item) in
            Factor(name: item.element.name, importance: importances?[k],
                   groups: Self.groups(results, dimension: item.offset))
        }
        factors.sort { ($0.importance ?? -1) > ($1.importance ?? -1) }
        sentences = []
        sentences = Self.sentences(self, results)
    }

    /// The metric of each trial for the importance model: completed trials' own values; a diverged
    /// trial counts as the worst completed value (it is a failure, not a missing point). Pruned
    /// trials are left out: their metric was taken at fewer epochs and is not comparable.
    static func importances(_ results: SearchResults, dimensions: [Int]) -> [Double]? {
        var usable = results.trials.filter { $0.status != .pruned }.sorted { $0.number < $1.number }
        if usable.count > importanceTrials {
            // An even sample by trial number: the same trials whatever order they finished in.
            let step = Double(usable.count) / Double(importanceTrials)
            usable = (0..<importanceTrials).map { usable[Int(Double($0) * step)] }
        }
        let completed = usable.map(\.metric).filter { !$0.isNaN }
        guard usable.count >= 4, dimensions.count >= 1, let worst = results.metric.maximize ? completed.min() : completed.max()
        else { return nil }
        var importanceDimensions = [ImportanceDimension]()
        var codes = [[String: Double]]()
        for d in dimensions {
            let dim = results.dimensions[d]
            switch dim.kind {
            case .categorical(let values):
                var seen = values
                for t in usable where !seen.contains(t.values[d]) { seen.append(t.values[d]) }
                importanceDimensions.append(.init(name: dim.name, kind: .categorical(count: seen.count)))
                codes.append(Dictionary(seen.enumerated().map { ($1, Double($0)) }, uniquingKeysWith: { a, _ in a }))
            case .numeric(let low, let high, let log):
                let xs = usable.compactMap { Double($0.values[d]) }
                importanceDimensions.append(.init(name: dim.name, kind: .continuous(
                    low: min(low, xs.min() ?? low), high: max(high, xs.max() ?? high), log: log)))
                codes.append([:])
            }
        }
        // Nothing varied (every trial the same figure, or one completed and the rest diverged): no shares to give.
        guard Set(metricValuesFor(usable, worst: worst)).count > 1 else { return nil }
        let rows = usable.map { t in
            zip(dimensions, codes).map { d, code in code.isEmpty ? Double(t.values[d]) ?? 0 : code[t.values[d]] ?? 0 }
        }
        let metric = metricValuesFor(usable, worst: worst)
        return Importance.fanova(dimensions: importanceDimensions, rows: rows, metric: metric).map(\.importance)
    }

    private static func metricValuesFor(_ trials: [TrialOutcome], worst: Double) -> [Double] {
        trials.map { $0.metric.isNaN ? worst : $0.metric }
    }

    /// The trials grouped by the value of space dimension `d` (bins for a range with many values).
    static func groups(_ results: SearchResults, dimension d: Int) -> [Group] {
        let dim = results.dimensions[d]
        var keyed: [(label: String, order: Double, trials: [TrialOutcome])] = []
        func add(_ label: String, _ order: Double, _ t: TrialOutcome) {
            if let i = keyed.firstIndex(where: { $0.label == label }) { keyed[i].trials.append(t) }
            else { keyed.append((label, order, [t])) }
        }
        switch dim.kind {
        case .categorical(let values):
            for t in results.trials {
                add(t.values[d], Double(values.firstIndex(of: t.values[d]) ?? values.count), t)
            }
        case .numeric(_, _, let log):
            let xs = results.trials.compactMap { Double($0.values[d]) }
            let distinct = Set(xs)
            if distinct.count <= 8 {
                for t in results.trials { add(t.values[d], Double(t.values[d]) ?? 0, t) }
            } else {
                let f = { (x: Double) in log ? Foundation.log(x) : x }
                let lo = f(xs.min()!), hi = f(xs.max()!)
                let edges = (0...bins).map { i -> Double in
                    let e = lo + (hi - lo) * Double(i) / Double(bins)
                    return log ? exp(e) : e
                }
                for t in results.trials {
                    guard let x = Double(t.values[d]) else { continue }
                    let i = min(bins - 1, max(0, Int((f(x) - lo) / max(hi - lo, .leastNormalMagnitude) * Double(bins))))
                    let close = i == bins - 1 ? "]" : ")"
                    add("[\(formatSignificant(edges[i], digits: 3)), \(formatSignificant(edges[i + 1], digits: 3))\(close)", edges[i], t)
                }
            }
        }
        keyed.sort { $0.order < $1.order }
        return keyed.map { key in
            let values = key.trials.map(\.metric).filter { !$0.isNaN }.sorted()
            var diagnoses: [Diagnosis: Int] = [:]
            for t in key.trials { if let g = t.diagnosis { diagnoses[g, default: 0] += 1 } }
            let best = results.metric.maximize ? values.last : values.first
            return Group(label: key.label, trials: key.trials.count, completed: values.count, best: best ?? .nan,
                         median: values.isEmpty ? .nan : median(values), diagnoses: diagnoses)
        }
    }

    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

}
