import Foundation
import NNSearchKernel

/// A search folder's `models/`: the final weights of its best trials, `keep_models` of them.
///
/// The worker that finishes a trial holds its weights, so it writes the trial's model — atomically,
/// before the trial's finish record — whenever the trial could be among the best K at that moment
/// (judged against the results it has replayed, which can only be fewer than the final ones). A
/// trial among the final best K is among the best K of any subset of trials that holds it, so its
/// model is always written. Whoever rewrites the views under the journal lock removes the models of
/// finished trials outside the best K (a trial never climbs back: the leaderboard only grows), and
/// so does every process when it leaves; so once the search is finished the folder holds exactly
/// the best K completed trials' models. A model's bytes depend only on the spec and the trial
/// number, so which worker or process wrote it does not matter.
package struct ModelStore: Sendable {
    let folder: SearchFolder
    /// How many of the best trials keep their model (0: none).
    package let keep: Int
    /// What every model of this search shares.
    let context: Context

    /// The parts of a model that come from the search and its data, not from the trial.
    struct Context: Sendable {
        var search: String
        var metric: Metric
        /// How the data's columns became the inputs the trials trained on (learned from their training rows).
        var encoding: FeatureEncoding
        /// The spec's extra missing texts (`data.missing`).
        var missingTexts: [String]
        /// The statistics of the encoded training rows (holdout searches).
        var standardization: Standardization?
        var target: SavedModel.Target
    }

    init(folder: SearchFolder, keep: Int, spec: SearchSpec, data: SearchData, metric: Metric) {
        // Models are kept with a validation fraction only (the spec refuses keep_models with folds),
        // and a single split has its encoding.
        guard let encoding = data.encoding else { preconditionFailure("models are kept only for a single split") }
        self.folder = folder
        self.keep = keep
        context = Self.context(spec: spec, encoding: encoding, classNames: data.classNames, task: data.task,
                               standardization: data.standardization, metric: metric)
    }

    static func context(spec: SearchSpec, encoding: FeatureEncoding, classNames: [String], task: TaskKind,
                        standardization: Standardization?, metric: Metric) -> Context {
        let column = SearchData.targetName(spec)
        var missingTexts: [String] = []
        if case .csv(_, _, let columns) = spec.data { missingTexts = columns.missing }
        return Context(search: spec.name, metric: metric, encoding: encoding, missingTexts: missingTexts,
                       standardization: standardization,
                       target: task == .classification ? .classes(column: column, labels: classNames) : .value(column: column, scale: nil))
    }

    /// Trial `trial`'s model as `runner` finished it, with its result's figures.
    func model(_ trial: Trial, runner: TrialRunner, result: TrialResult, metricValue: Double) -> SavedModel {
        Self.model(context, trial: trial, runner: runner, metricValue: metricValue, figures: result.last.map {
            [$0.trainLoss, $0.valLoss, $0.trainMetric, $0.valMetric]
        } ?? [.nan, .nan, .nan, .nan], refit: false)
    }

    static func model(_ context: Context, trial: Trial, runner: TrialRunner, metricValue: Double, figures: [Double], refit: Bool) -> SavedModel {
        let h = trial.hyperparameters
        let origin = SavedModel.Origin(search: context.search, trial: trial.number, seed: trial.seed, metric: context.metric,
                                       metricValue: metricValue, figures: figures, refit: refit,
                                       rows: runner.data.train.rows, epochs: runner.records.count)
        return SavedModel(origin: origin,
                          hyperparameters: Hyperparameter.all.map { SavedModel.Setting(name: $0.name, value: $0.value(in: h)) },
                          columns: context.encoding.columns, missingTexts: context.missingTexts,
                          standardization: h.normalize == .standardize ? context.standardization : nil,
                          target: scaled(context.target, runner.data), network: runner.model.weights, dropout: h.dropout)
    }

    /// A regression target with the scale its network was trained on (`TrainingData.standardizingTargets`).
    private static func scaled(_ target: SavedModel.Target, _ data: TrainingData) -> SavedModel.Target {
        guard case .value(let column, _) = target else { return target }
        return .value(column: column, scale: SavedModel.TargetScale(mean: data.targetMean, std: data.targetStd))
    }

    /// Writes a model to `models/trial-NNNN.json` atomically.
    func write(_ model: SavedModel) throws {
        let text = try model.jsonText()
        try FileManager.default.createDirectory(atPath: folder.models, withIntermediateDirectories: true)
        try writeAtomically(Data(text.utf8), to: folder.model(model.origin.trial))
    }

    // MARK: - The folder

    /// The trials that have a model file in `folder`'s `models/`, ascending.
    package static func keptTrials(_ folder: SearchFolder) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.models)) ?? []).compactMap(trialNumber).sorted()
    }

    /// Removes the models of finished trials that are not among `best`; models of trials not
    /// finished yet (written just before their finish record) stay.
    static func prune(_ folder: SearchFolder, best: Set<Int>, finished: (Int) -> Bool) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.models)) ?? [] {
            guard let trial = trialNumber(name), !best.contains(trial), finished(trial) else { continue }
            unlink(folder.model(trial))
        }
    }

    /// `trial-0007.json` → 7; nil for any other name (temporary files included).
    private static func trialNumber(_ name: String) -> Int? {
        guard name.hasPrefix("trial-"), name.hasSuffix(".json") else { return nil }
        return Int(name.dropFirst("trial-".count).dropLast(".json".count))
    }
}
