import Foundation
@testable import NNSearch

/// Report contents for tests and for the browser check: a plausible finished search, one whose
/// every text tries HTML injection, and one with nothing in it yet.
enum ReportSamples {
    /// A deterministic pseudo-random sequence (SplitMix64), so the sample is the same every run.
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() * Double(items.count)) % items.count] }
    }

    /// 40 trials of a small classification search over five hyperparameters.
    static func plausible() -> ReportContent {
        var random = Random(state: 7)
        let hidden = ["[16]", "[32, 32]", "[64, 64, 64]"]
        let activations = ["relu", "tanh", "sigmoid"]
        let optimizers = ["sgd", "adam"]
        struct Trial {
            var n: Int, lr: Double, batch: Double, hidden: String, activation: String, optimizer: String
            var metric: Double, diagnosis: String, seconds: Double
        }
        var trials: [Trial] = []
        for n in 0..<40 {
            let lr = pow(10, -4 + 4 * random.next())
            let batch = random.pick([16.0, 32, 64, 128])
            let h = random.pick(hidden), a = random.pick(activations), o = random.pick(optimizers)
            let best = o == "adam" ? -2.6 : -1.4
            var metric = 0.97 - 0.09 * pow(log10(lr) - best, 2) - (a == "sigmoid" ? 0.05 : 0) - 0.02 * random.next()
            var diagnosis = "ok"
            if lr > 0.3 && o == "sgd" || lr > 0.05 && o == "adam" { metric = .nan; diagnosis = "diverged" }
            else if metric < 0.55 { metric = 0.5 + 0.02 * random.next(); diagnosis = "chance" }
            else if metric < 0.8 { diagnosis = "underfit" }
            else if h == "[64, 64, 64]" && random.next() < 0.4 { metric -= 0.04; diagnosis = "overfit" }
            if n == 37 { diagnosis = "pruned" }
            trials.append(Trial(n: n, lr: lr, batch: batch, hidden: h, activation: a, optimizer: o,
                                metric: metric, diagnosis: diagnosis, seconds: 0.15 + 0.4 * random.next()))
        }
        let ranked = trials.filter { $0.metric.isFinite }.sorted { $0.metric > $1.metric }
        let columns = ["trial", "status", "diagnosis", "learning_rate", "batch_size", "hidden", "activation",
                       "optimizer", "val_accuracy", "seconds"]
        let rows = ranked.prefix(20).map { t in
            [String(t.n), "completed", t.diagnosis, String(format: "%.3g", t.lr), String(Int(t.batch)), t.hidden,
             t.activation, t.optimizer, String(format: "%.4f", t.metric), String(format: "%.2f", t.seconds)]
        }
        var bestByTrial: [(x: Double, y: Double)] = [], bestByTime: [(x: Double, y: Double)] = []
        var best = -Double.infinity, clock = 0.0
        for t in trials {
            clock += t.seconds / 2   // two workers
            if t.metric.isFinite { best = max(best, t.metric) }
            if best.isFinite {
                bestByTrial.append((Double(t.n), best))
                bestByTime.append((clock, best))
            }
        }
        func curve(_ t: Trial, kind: ReportContent.Curve.Kind) -> ReportContent.Curve {
            var metric: [(epoch: Double, value: Double)] = [], train: [(epoch: Double, value: Double)] = []
            var val: [(epoch: Double, value: Double)] = []
            for e in 1...30 {
                let x = Double(e)
                switch t.diagnosis {
                case "diverged":
                    if e > 6 { break }
                    let loss = e == 6 ? Double.nan : 0.7 * pow(8, x - 1)
                    metric.append((x, e == 6 ? .nan : 0.5)); train.append((x, loss)); val.append((x, loss * 1.1))
                case "chance":
                    metric.append((x, 0.5 + 0.01 * sin(x))); train.append((x, 0.693)); val.append((x, 0.694))
                default:
                    let progress = 1 - exp(-x / 5)
                    metric.append((x, 0.5 + (t.metric - 0.5) * progress))
                    train.append((x, 0.69 * exp(-x / 6) + 0.04))
                    val.append((x, 0.69 * exp(-x / 6) + 0.06 + (t.diagnosis == "overfit" ? 0.004 * x : 0)))
                }
            }
            let shown = t.metric.isFinite ? String(format: "%.3f", t.metric) : t.diagnosis
            return .init(label: "trial \(t.n) · \(shown)", kind: kind, metric: metric, trainLoss: train, valLoss: val)
        }
        let failed = trials.filter { $0.diagnosis == "diverged" }.prefix(2) + trials.filter { $0.diagnosis == "chance" }.prefix(1)
        let curves = ranked.prefix(5).map { curve($0, kind: .top) } + failed.map { curve($0, kind: .failed) }
        typealias Plot = ReportContent.HyperparameterPlot
        let plots = [
            Plot(name: "learning_rate", scale: .numeric(log: true),
                 points: trials.map { .init(x: $0.lr, metric: $0.metric, diagnosis: $0.diagnosis) }),
            Plot(name: "batch_size", scale: .numeric(log: false),
                 points: trials.map { .init(x: $0.batch, metric: $0.metric, diagnosis: $0.diagnosis) }),
            Plot(name: "hidden", scale: .categorical(hidden),
                 points: trials.map { .init(category: $0.hidden, metric: $0.metric, diagnosis: $0.diagnosis) }),
            Plot(name: "activation", scale: .categorical(activations),
                 points: trials.map { .init(category: $0.activation, metric: $0.metric, diagnosis: $0.diagnosis) }),
            Plot(name: "optimizer", scale: .categorical(optimizers),
                 points: trials.map { .init(category: $0.optimizer, metric: $0.metric, diagnosis: $0.diagnosis) }),
        ]
        let counts = ["ok", "underfit", "overfit", "chance", "diverged", "pruned"].map { kind in
            (kind: kind, count: trials.filter { $0.diagnosis == kind }.count)
        }
        return ReportContent(
            title: "moons-mlp — searches/moons-mlp",
            subtitle: "finished · 40/40 trials · \(String(format: "%.1f", clock)) s · metric val_accuracy (higher is better)",
            metricName: "val_accuracy", maximize: true,
            columns: columns, topTrials: rows,
            bestSoFarByTrial: bestByTrial, bestSoFarByTime: bestByTime,
            curves: curves, perHyperparameter: plots,
            importance: [("learning_rate", 0.52), ("optimizer", 0.21), ("activation", 0.12), ("hidden", 0.09),
                         ("batch_size", 0.06)],
            diagnosisCounts: counts,
            sentences: [
                "The best trial, \(ranked[0].n), reached val_accuracy \(String(format: "%.3f", ranked[0].metric)) "
                    + "with \(ranked[0].optimizer) at learning rate \(String(format: "%.2g", ranked[0].lr)).",
                "The learning rate mattered most: about half of the variation in val_accuracy follows it.",
                "Trials with sgd above learning rate 0.3, or adam above 0.05, diverged: their loss grew without bound within a few epochs.",
                "Small learning rates with sgd stayed at chance (0.5): 30 epochs were not enough to move.",
            ],
            generated: "2025-01-01 12:00:00 UTC")
    }

    /// Every text field carries markup that would run script or fetch something if it were not escaped.
    static func hostile() -> ReportContent {
        let evil = "<script>alert(1)</script><img src=\"http://example.com/x.png\" onerror=alert(2)>"
        let attr = "\"><svg onload=alert(3)><a href='https://example.com/'>x</a>&amp;"
        typealias Plot = ReportContent.HyperparameterPlot
        return ReportContent(
            title: evil, subtitle: attr, metricName: "</title><style>*{background:url(http://example.com/bg)}</style>",
            maximize: false,
            columns: [evil, attr, "diagnosis"],
            topTrials: [[evil, attr, "ok\"><script>alert(4)</script>"], ["1", "2", "ok"]],
            bestSoFarByTrial: [(0, 1), (1, 0.5)], bestSoFarByTime: [(0.5, 1), (1.5, 0.5)],
            curves: [.init(label: evil, kind: .top, metric: [(1, 0.5), (2, 0.6)], trainLoss: [(1, 1), (2, 0.8)],
                           valLoss: [(1, 1.1), (2, 0.9)]),
                     .init(label: attr, kind: .failed, metric: [(1, 0.5)], trainLoss: [(1, 1)], valLoss: [(1, 1)])],
            perHyperparameter: [
                Plot(name: evil, scale: .categorical([attr, "</svg><script>alert(5)</script>"]),
                     points: [.init(category: attr, metric: 0.5, diagnosis: evil),
                              .init(category: "<iframe src=//example.com>", metric: 0.7, diagnosis: "ok")]),
                Plot(name: attr, scale: .numeric(log: true),
                     points: [.init(x: 0.01, metric: 0.5, diagnosis: "<b>bold</b>")]),
            ],
            importance: [(evil, 0.7), (attr, 0.3)],
            diagnosisCounts: [(evil, 1), ("ok", 1)],
            sentences: [evil, attr, "<!-- an unclosed comment", "<![CDATA[ x ]]> &lt; &#0; \u{0}\u{7}"],
            generated: "<meta http-equiv=\"refresh\" content=\"0;url=http://example.com/\">")
    }

    /// A search with nothing finished yet.
    static func empty() -> ReportContent {
        ReportContent(title: "empty — searches/empty", subtitle: "running · 0/10 trials · 0.0 s",
                      metricName: "val_loss", maximize: false,
                      columns: ["trial", "status", "val_loss"],
                      diagnosisCounts: [], generated: "2025-01-01 12:00:00 UTC")
    }
}
