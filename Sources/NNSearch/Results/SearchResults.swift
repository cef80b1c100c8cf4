import Foundation
import NNSearchKernel

/// A search folder's results, typed: the read model behind `explain`, `report` and `watch`.
///
/// Built on `SearchSnapshot` (the journal replayed, no lock), it adds every finished trial's row
/// read back from its `finish` record — the journal, not `trials.csv`, is the truth — with typed
/// hyperparameters, figures and diagnosis, and each trial's learning curve on request.
package struct SearchResults {
    /// One hyperparameter of the space, as the results vary it.
    package struct Dimension: Sendable {
        package enum Kind: Sendable, Equatable {
            /// A list of choices, in the spec's order, as their CSV text.
            case categorical([String])
            /// A range, or a list of numbers (but a few whole ones), on a log scale when drawn log-uniformly
            /// or listed across two decades or more.
            case numeric(low: Double, high: Double, log: Bool)
        }
        package var name: String
        package var kind: Kind
        /// Whether every trial has the same value (a fixed entry).
        package var fixed: Bool
    }

    package private(set) var snapshot: SearchSnapshot
    package let columns: ResultColumns
    package let plan: TrialPlan
    /// The space's hyperparameters, in spec order.
    package let dimensions: [Dimension]
    /// Finished trials in the order they were recorded.
    package private(set) var trials: [TrialOutcome] = []
    /// Rows that could not be read back (from another version of nnsearch, or damaged), by trial.
    package private(set) var unreadable: [Int] = []

    /// Reads `folder`: its spec, its origin and its journal.
    package init(_ folder: SearchFolder) throws {
        snapshot = try SearchSnapshot(folder, keepRows: true)
        let spec = snapshot.spec
        let origin = SearchOrigin.read(folder)
        let metric = origin.metric ?? spec.metric ?? .valAccuracy
        let task = origin.task ?? spec.task ?? (metric == .valR2 ? .regression : .classification)
        columns = ResultColumns(space: spec.space.map(\.name), task: task, metric: metric, chance: origin.chance,
                                crossValidated: spec.validation.crossValidation != nil)
        plan = TrialPlan(spec: spec)
        dimensions = spec.space.map(Self.dimension)
        take()
    }

    /// Reads what was appended to the journal since.
    package mutating func refresh() throws {
        try snapshot.refresh()
        take()
    }

    private mutating func take() {
        for r in snapshot.takeRows() {
            if let outcome = columns.outcome(row: r.row, plan: plan, time: r.time) {
                trials.append(outcome)
            } else {
                unreadable.append(r.trial)
            }
        }
    }

    // MARK: - Questions

    package var folder: SearchFolder { snapshot.folder }
    package var spec: SearchSpec { snapshot.spec }
    package var metric: Metric { columns.metric }
    package var phase: SearchSnapshot.Phase { snapshot.phase }
    package var trialCount: Int { snapshot.state.trialCount }
    /// Seconds the search has run, over all its processes.
    package var elapsed: Double { snapshot.state.elapsed(at: snapshot.now) }
    /// Trials in flight now, with the epochs they reached.
    package var running: [Progress.RunningTrial] { snapshot.state.running(at: snapshot.now) }
    /// When the search's first process joined (Unix seconds), if it ever ran.
    package var started: Double? { snapshot.state.processes.values.map(\.joined).min() }

    /// Finished trials best first (`TrialRank`: the metric, ties by validation loss, then trial
    /// number; trials that did not complete last).
    package var ranked: [TrialOutcome] {
        let maximize = metric.maximize
        return trials.sorted { $0.rank.precedes($1.rank, maximize: maximize) }
    }

    /// The best completed trial.
    package var best: TrialOutcome? {
        let maximize = metric.maximize
        return trials.filter { !$0.metric.isNaN }.min { $0.rank.precedes($1.rank, maximize: maximize) }
    }

    /// Whether `a` is a better metric value than `b`.
    package func isBetter(_ a: Double, than b: Double) -> Bool { metric.maximize ? a > b : a < b }

    /// Trial `number`'s learning curve from `curves/`; empty when it has none.
    package func curve(_ number: Int) -> [EpochRecord] {
        guard let data = FileManager.default.contents(atPath: folder.curve(number)),
              let records = try? CSVParser.records([UInt8](data)), records.count > 1 else { return [] }
        let header = records[0].fields
        let index = { (name: String) in header.firstIndex(of: name) }
        guard let e = index("epoch"), let lr = index("lr"), let tl = index("train_loss"), let vl = index("val_loss"),
              let vm = index(columns.metricColumn) else { return [] }
        let tm = index(columns.trainMetricColumn)
        return records.dropFirst().compactMap { r in
            let f = r.fields
            guard f.count == header.count, let epoch = Int(f[e]) else { return nil }
            let number = { (i: Int) in Double(f[i]) ?? .nan }
            return EpochRecord(epoch: epoch, lr: number(lr), trainLoss: number(tl), valLoss: number(vl),
                               trainMetric: tm.map(number) ?? .nan, valMetric: number(vm))
        }
    }

    // MARK: - Dimensions

    private static func dimension(_ d: SpaceDimension) -> Dimension {
        switch d.entry {
        case .fixed(let value):
            return Dimension(name: d.name, kind: .categorical([value.csvText]), fixed: true)
        case .choices(let values):
            let numbers = values.compactMap(\.number)
            // A few whole numbers (depth 1, 2, 4; batch sizes) read best as columns; other numbers on a number line.
            let fewWhole = numbers.allSatisfy { $0 == $0.rounded() } && Set(numbers).count <= 5
            if numbers.count == values.count, Set(numbers).count > 1, !fewWhole, let lo = numbers.min(), let hi = numbers.max() {
                // Learning rates and weight decays listed as choices span decades: draw them on a log scale.
                let log = lo > 0 && hi / lo >= 100
                return Dimension(name: d.name, kind: .numeric(low: lo, high: hi, log: log), fixed: false)
            }
            return Dimension(name: d.name, kind: .categorical(values.map(\.csvText)), fixed: values.count < 2)
        case .uniform(let a, let b):
            return Dimension(name: d.name, kind: .numeric(low: a, high: b, log: false), fixed: false)
        case .logUniform(let a, let b):
            return Dimension(name: d.name, kind: .numeric(low: a, high: b, log: true), fixed: false)
        case .intUniform(let a, let b):
            return Dimension(name: d.name, kind: .numeric(low: Double(a), high: Double(b), log: false), fixed: a == b)
        }
    }
}
