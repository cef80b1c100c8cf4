/// Everything the report page shows, already chosen and formatted: plain data, no file access.
///
/// The read model fills it from a search folder; `ReportPage.html(_:)` renders it. Numbers
/// that are NaN or infinite are skipped by the charts, never drawn at an edge.
package struct ReportContent: Sendable {
    /// The search's name and folder, the page's heading.
    package var title: String
    /// One line under the heading: state, trials, time, metric and its direction.
    package var subtitle: String
    /// The metric's column name, e.g. `val_accuracy`; labels the charts' metric axes.
    package var metricName: String
    /// Whether a larger metric is better.
    package var maximize: Bool
    /// The top-trials table's header.
    package var columns: [String]
    /// Up to 20 rows of the top-trials table, best first, already formatted.
    package var topTrials: [[String]]
    /// The best metric so far after each trial: x is the trial number.
    package var bestSoFarByTrial: [(x: Double, y: Double)]
    /// The best metric so far over time: x is seconds since the search started.
    package var bestSoFarByTime: [(x: Double, y: Double)]
    /// Learning curves: the top trials' and the worst failed ones'.
    package var curves: [Curve]
    /// The metric against each hyperparameter's values, one plot each, in spec order.
    package var perHyperparameter: [HyperparameterPlot]
    /// Each hyperparameter's share of the metric's variation (0...1), largest first.
    package var importance: [(name: String, share: Double)]
    /// How many trials had each diagnosis (`ok`, `underfit`, `overfit`, `chance`, `diverged`, `pruned`).
    package var diagnosisCounts: [(kind: String, count: Int)]
    /// The plain-language explanation, one sentence (or short paragraph) each.
    package var sentences: [String]
    /// When the report was made, as text.
    package var generated: String

    package init(
        title: String,
        subtitle: String = "",
        metricName: String,
        maximize: Bool,
        columns: [String] = [],
        topTrials: [[String]] = [],
        bestSoFarByTrial: [(x: Double, y: Double)] = [],
        bestSoFarByTime: [(x: Double, y: Double)] = [],
        curves: [Curve] = [],
        perHyperparameter: [HyperparameterPlot] = [],
        importance: [(name: String, share: Double)] = [],
        diagnosisCounts: [(kind: String, count: Int)] = [],
        sentences: [String] = [],
        generated: String = ""
    ) {
        self.title = title
        self.subtitle = subtitle
        self.metricName = metricName
        self.maximize = maximize
        self.columns = columns
        self.topTrials = topTrials
        self.bestSoFarByTrial = bestSoFarByTrial
        self.bestSoFarByTime = bestSoFarByTime
        self.curves = curves
        self.perHyperparameter = perHyperparameter
        self.importance = importance
        self.diagnosisCounts = diagnosisCounts
        self.sentences = sentences
        self.generated = generated
    }
}

extension ReportContent {
    /// One trial's learning curve: the validation metric and both losses by epoch.
    package struct Curve: Sendable {
        /// Why the curve is shown: among the best trials, or among the worst failed ones.
        package enum Kind: String, Sendable {
            case top
            case failed
        }

        /// The legend's text, e.g. `trial 12 · 0.981` or `trial 7 · diverged`.
        package var label: String
        package var kind: Kind
        package var metric: [(epoch: Double, value: Double)]
        package var trainLoss: [(epoch: Double, value: Double)]
        package var valLoss: [(epoch: Double, value: Double)]

        package init(
            label: String,
            kind: Kind,
            metric: [(epoch: Double, value: Double)],
            trainLoss: [(epoch: Double, value: Double)] = [],
            valLoss: [(epoch: Double, value: Double)] = []
        ) {
            self.label = label
            self.kind = kind
            self.metric = metric
            self.trainLoss = trainLoss
            self.valLoss = valLoss
        }
    }

    /// The metric of every trial against one hyperparameter's value, coloured by diagnosis.
    package struct HyperparameterPlot: Sendable {
        /// How the hyperparameter's values are laid out along x.
        package enum Scale: Sendable {
            /// A number line, logarithmic when `log` (values must then be positive).
            case numeric(log: Bool)
            /// One column per value, in this order; values seen but not listed follow.
            case categorical([String])
        }

        /// One trial's value of the hyperparameter.
        package enum Value: Sendable {
            case number(Double)
            case category(String)
        }

        /// One trial: its value, its metric (NaN when it has none) and its diagnosis.
        package struct Point: Sendable {
            package var value: Value
            package var metric: Double
            package var diagnosis: String

            package init(value: Value, metric: Double, diagnosis: String) {
                self.value = value
                self.metric = metric
                self.diagnosis = diagnosis
            }

            package init(x: Double, metric: Double, diagnosis: String) {
                self.init(value: .number(x), metric: metric, diagnosis: diagnosis)
            }

            package init(category: String, metric: Double, diagnosis: String) {
                self.init(value: .category(category), metric: metric, diagnosis: diagnosis)
            }
        }

        package var name: String
        package var scale: Scale
        package var points: [Point]

        package init(name: String, scale: Scale, points: [Point]) {
            self.name = name
            self.scale = scale
            self.points = points
        }
    }
}
