import Foundation
import NNSearchKernel

// The plain-language findings: each rule reads the figures and writes a sentence only when they
// show something; the hyperparameter names and values, the counts and the levels all come from
// the trials. The advice attached to a value (`advice(_:_:)`) is about the hyperparameter, not
// about any data set.

extension Explanation {
    /// A failure: the trial learned nothing or blew up.
    /// A pruned trial is not one: its curve stops after a few epochs by design.
    static func failed(_ t: TrialOutcome) -> Bool {
        t.status != .pruned && (t.diagnosis == .chance || t.diagnosis == .diverged || t.status == .diverged)
    }

    static func sentences(_ e: Explanation, _ results: SearchResults) -> [String] {
        let trials = results.trials
        guard !trials.isEmpty else {
            return ["No trial has finished yet; ask again once some have."]
        }
        let format = MetricFormat(metric: results.metric, task: results.columns.task)
        var out = [String]()
        if results.trials.count < results.trialCount {
            out.append("So far \(trials.count) of \(results.trialCount) trials have finished; these findings may change.")
        }
        let atChance = chanceSentence(results, format)
        if let atChance { out.append(atChance) }
        if let best = e.best {
            let setting = zip(results.dimensions, best.values).filter { !$0.0.fixed }.map { "\($0.0.name)=\(shortenNumber($0.1))" }
            out.append("The best is trial \(best.number): \(format.name) \(format.value(best.metric))"
                       + foldNote(best, results, format)
                       + (setting.isEmpty ? "." : " with " + setting.joined(separator: ", ") + "."))
        } else {
            out.append("No trial completed: every one diverged or was stopped early.")
        }
        // When nothing beat chance, which value "won" is noise: no advice per value then.
        if atChance == nil { out += valueSentences(e, results, format) }
        out += divergenceSentences(results)
        // Importance among trials that all sit at chance measures noise: not worth a sentence then.
        if atChance == nil, let s = importanceSentence(e, format) { out.append(s) }
        out += fitSentences(results)
        return out
    }

    // MARK: - The whole search at chance

    /// When no trial beats chance on validation: whether the net memorizes or learns nothing at all.
    static func chanceSentence(_ results: SearchResults, _ format: MetricFormat) -> String? {
        guard let chance = results.columns.chance else { return nil }
        let completed = results.trials.filter { !$0.valMetric.isNaN && $0.status != .diverged }
        // The best of k trials that all sit at chance lies about √(2 ln k) standard errors above it
        // (the expected maximum of k normal draws), so the bar rises with the number of trials.
        let k = Double(max(completed.count, 1))
        let errors = max(2, (2 * Foundation.log(k)).squareRoot() + 1)
        // ... and never more than half the way from chance to perfect (a 96 % majority class leaves 4 points).
        let headroom = (1 - min(max(chance.valMetric, 0), 1)) / 2
        let margin = min(results.columns.task == .classification ? max(aboveChance, chance.accuracyNoise / 2 * errors) : aboveChance,
                         headroom)
        guard let bestVal = completed.map(\.valMetric).max(), bestVal <= chance.valMetric + margin else { return nil }
        let train = MetricFormat(metric: results.columns.task == .classification ? .valAccuracy : .valR2, task: results.columns.task)
        let bestTrain = completed.map(\.trainMetric).filter { !$0.isNaN }.max() ?? .nan
        let floor = max(chance.trainMetric, 0)
        let classification = results.columns.task == .classification
        let trainName = classification ? "training accuracy" : "training R²"
        let valName = classification ? "validation accuracy" : "validation R²"
        let baseline = classification ? "always predicting the most frequent class" : "always predicting the mean"
        let all = completed.count == 1 ? "The one configuration" : "Every one of the \(completed.count) configurations"
        if bestTrain >= floor + Diagnosis.highTrainShare * (1 - floor) {
            return "\(all) fits the training set (\(trainName) up to \(train.value(bestTrain))) but none exceeds "
                + "\(train.value(bestVal)) on validation, where \(baseline) scores \(train.value(chance.valMetric)): "
                + "the model memorizes the training rows without finding a rule that carries over. More data or "
                + "different features are needed, not more capacity."
        }
        return "No configuration learned anything: the best \(valName) is \(train.value(bestVal)), against "
            + "\(train.value(chance.valMetric)) for \(baseline), and \(trainName) stayed at most "
            + "\(bestTrain.isNaN ? "unknown" : train.value(bestTrain)). Check that the features carry the signal "
            + "and are on a common scale; if they do, the rule may be too intricate for this much data and "
            + "these networks to pick up — try more epochs, a larger learning rate, or features that make it simpler."
    }

    // MARK: - Values that fail

    /// For each hyperparameter value whose trials all failed while another value's did not.
    /// " (mean over 5 folds, standard deviation 0.7 %)" for a cross-validated search, else "".
    static func foldNote(_ trial: TrialOutcome, _ results: SearchResults, _ format: MetricFormat) -> String {
        guard let cv = results.spec.validation.crossValidation else { return "" }
        let std = format.metric == .valLoss ? trial.valLossStd : trial.valMetricStd
        let over = "\(cv.folds) folds" + (cv.repeats == 1 ? "" : " × \(cv.repeats) repeats")
        return " (mean over \(over)" + (std.isFinite ? ", standard deviation \(format.value(std)))" : ")")
    }

    static func valueSentences(_ e: Explanation, _ results: SearchResults, _ format: MetricFormat) -> [String] {
        var out = [String]()
        for factor in e.factors {
            // Numeric values are judged by thresholds (`divergenceSentences`), not one by one.
            guard let d = results.dimensions.firstIndex(where: { $0.name == factor.name }),
                  case .categorical = results.dimensions[d].kind else { continue }
            let byValue = Dictionary(grouping: results.trials, by: { $0.values[d] })
            guard byValue.count >= 2, byValue.count <= 12 else { continue }
            let values = byValue.keys.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
            for value in values {
                let group = byValue[value]!
                let failures = group.filter(failed)
                guard group.count >= 2, Double(failures.count) >= mostlyFailedShare * Double(group.count) else { continue }
                let others = results.trials.filter { $0.values[d] != value }
                guard others.contains(where: { !failed($0) }) else { continue }
                let chance = failures.filter { $0.diagnosis == .chance }.count
                let what = chance == failures.count ? "stayed at chance" : chance == 0 ? "diverged" : "stayed at chance or diverged"
                let all = failures.count == group.count ? "All \(group.count)" : "\(failures.count) of \(group.count)"
                var sentence = "\(all) trials with \(factor.name)=\(value) \(what)"
                let rest = group.filter({ !failed($0) }).map(\.metric).filter({ !$0.isNaN })
                if let top = rest.max(by: { results.isBetter($1, than: $0) }) {
                    sentence += rest.count == 1 ? " (the other reached \(format.value(top)))" : " (the others reached at best \(format.value(top)))"
                }
                // The value that did best, by median over its trials.
                let candidates = values.filter { $0 != value }.compactMap { v -> (String, [TrialOutcome], Double)? in
                    let g = byValue[v]!
                    let m = g.map(\.metric).filter { !$0.isNaN }.sorted()
                    return m.isEmpty ? nil : (v, g, median(m))
                }
                // Advice only toward a value whose trials mostly worked.
                let working = candidates.filter { Double($0.1.filter(failed).count) <= (1 - mostlyFailedShare) * Double($0.1.count) }
                if let (v, g, med) = working.max(by: { results.isBetter($1.2, than: $0.2) || ($0.2 == $1.2 && $0.0 > $1.0) }) {
                    let metrics = g.map(\.metric)
                    if !g.contains(where: failed), metrics.allSatisfy({ !$0.isNaN }) {
                        let worst = results.metric.maximize ? metrics.min()! : metrics.max()!
                        sentence += "; every trial with \(factor.name)=\(v) reached \(results.metric.maximize ? "≥" : "≤") \(format.value(worst))"
                    } else {
                        sentence += "; trials with \(factor.name)=\(v) reached a median \(format.name) of \(format.value(med))"
                    }
                    sentence += ": " + advice(factor.name, v) + "."
                    out.append(sentence)
                }
                // With no value that mostly worked, nothing here to advise: said once for the whole search, if at all.
            }
        }
        return out
    }

    /// What to do about a hyperparameter whose value `value` worked.
    static func advice(_ name: String, _ value: String) -> String {
        switch (name, value) {
        case ("normalize", "standardize"): "standardize your inputs"
        case ("normalize", "batchnorm"): "normalize your inputs (batch norm)"
        case ("optimizer", _): "use the \(value) optimizer"
        default: "use \(name)=\(value)"
        }
    }

    // MARK: - Divergence above a value

    /// For numeric hyperparameters: a value at and above which most trials diverged, while few below did.
    static func divergenceSentences(_ results: SearchResults) -> [String] {
        var out = [String]()
        for (d, dim) in results.dimensions.enumerated() where !dim.fixed {
            let points = results.trials.compactMap { t in Double(t.values[d]).map { ($0, t.status == .diverged) } }
            guard points.count == results.trials.count, points.contains(where: \.1) else { continue }
            // The threshold that separates diverged from not best (the lowest of equals), if it separates
            // well enough: one sweep over the values in order, counting what lies below each.
            let sorted = points.sorted { $0.0 < $1.0 }
            let total = sorted.count, totalDiverged = sorted.filter(\.1).count
            var chosen: (t: Double, up: Int, above: Int, down: Int, below: Int, right: Int)? = nil
            var i = 0, down = 0
            while i < total {
                let t = sorted[i].0
                let below = i, up = totalDiverged - down, above = total - i
                if above >= 2, below > 0, Double(up) >= divergedShare * Double(above),
                   Double(down) <= divergedBelowShare * Double(below) {
                    let right = up + below - down
                    if chosen.map({ right > $0.right }) ?? true { chosen = (t, up, above, down, below, right) }
                }
                while i < total && sorted[i].0 == t { if sorted[i].1 { down += 1 }; i += 1 }
            }
            if let c = chosen {
                let action = dim.name == "lr" ? "lower the learning rate" : "keep \(dim.name) below \(formatSignificant(c.t, digits: 3))"
                out.append("\(dim.name) ≥ \(formatSignificant(c.t, digits: 3)) diverged in \(c.up) of \(c.above) trials (against \(c.down) of "
                           + "\(c.below) below): \(action).")
            }
        }
        return out
    }

    // MARK: - Importance

    static func importanceSentence(_ e: Explanation, _ format: MetricFormat) -> String? {
        let ranked = e.factors.filter { $0.importance != nil }
        guard let top = ranked.first, let share = top.importance else { return nil }
        let rest = ranked.dropFirst().prefix(3).map { "\($0.name) \(percent($0.importance!))" }
        let others = rest.isEmpty ? "" : " (then " + rest.joined(separator: ", ") + ")"
        guard share >= importantShare else {
            return "No single hyperparameter explains much of the variation in \(format.name) (the largest, "
                + "\(top.name), \(percent(share))): it comes from combinations of them, or from noise."
        }
        var sentence = "\(top.name) matters most: it alone explains \(percent(share)) of the variation in \(format.name)\(others)."
        let best = top.groups.filter { !$0.median.isNaN }.max { a, b in
            format.maximize ? a.median < b.median : a.median > b.median
        }
        if let best, top.groups.count > 1 {
            let over = best.completed == best.trials ? "\(best.trials) trial\(best.trials == 1 ? "" : "s")"
                : "the \(best.completed) of its \(best.trials) trials that completed"
            sentence += " Its best \(best.label.hasPrefix("[") ? "range" : "value") is \(best.label) "
                + "(median \(format.value(best.median)) over \(over))."
        }
        return sentence
    }

    // MARK: - Under- and overfitting

    static func fitSentences(_ results: SearchResults) -> [String] {
        let completed = results.trials.filter { $0.status == .completed }
        guard !completed.isEmpty else { return [] }
        let enough = max(2, (completed.count + 3) / 4)
        let train = MetricFormat(metric: results.columns.task == .classification ? .valAccuracy : .valR2, task: results.columns.task)
        let trainName = results.columns.task == .classification ? "training accuracy" : "training R²"
        var out = [String]()
        let underfit = completed.filter { $0.diagnosis == .underfit }
        if underfit.count >= enough {
            out.append("\(underfit.count) of \(completed.count) trials were still improving at their last epoch with "
                       + "\(trainName) below \(train.value(Diagnosis.underfitTrainMetric)) (underfit): train for more "
                       + "epochs or raise the learning rate.")
        }
        let overfit = completed.filter { $0.diagnosis == .overfit }
        if overfit.count >= enough, let worst = overfit.max(by: { $0.trainMetric - $0.valMetric < $1.trainMetric - $1.valMetric }) {
            out.append("\(overfit.count) of \(completed.count) trials overfit (trial \(worst.number): \(trainName) "
                       + "\(train.value(worst.trainMetric)), validation \(train.value(worst.valMetric)), its validation loss "
                       + "rising): add dropout or weight decay, train fewer epochs, or use a smaller network.")
        }
        return out
    }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))\u{00A0}%" }
}

/// How a metric is named and printed in sentences.
struct MetricFormat {
    let metric: Metric
    let task: TaskKind

    var maximize: Bool { metric.maximize }

    var name: String {
        switch metric {
        case .valAccuracy: "validation accuracy"
        case .valR2: "validation R²"
        case .valLoss: "validation loss"
        }
    }

    /// Accuracy as a percentage (`98.5 %`), R² and losses with 3 significant digits.
    func value(_ x: Double) -> String {
        guard x.isFinite else { return formatNumber(x) }
        if metric == .valAccuracy || (metric != .valLoss && task == .classification) {
            let p = (x * 1000).rounded() / 10
            return (p == p.rounded() ? String(Int(p)) : String(p)) + "\u{00A0}%"
        }
        return formatSignificant(x, digits: 3)
    }
}
