import Foundation
import NNSearchKernel

/// Which model `nnsearch export` and `nnsearch predict DIR` use: a trial's kept model from
/// `models/`, or (`--refit`) its configuration trained again on every row.
package enum ModelExport {
    /// Trial `number`'s model (default: the leaderboard's best), kept or refit; with where it came from.
    package static func model(_ folder: SearchFolder, trial number: Int?, refit: Bool) throws -> (model: SavedModel, source: String) {
        let results = try SearchResults(folder)
        let outcome = try finishedTrial(results, number)
        let n = outcome.number
        let crossValidated = results.spec.validation.crossValidation
        if refit {
            return (try Self.refit(results, outcome), "trial \(n)'s configuration refit on every row")
        }
        if let cv = crossValidated {
            throw NNSearchError(.data, """
                \(folder.path) cross-validates (\(cv.folds) folds\(cv.repeats > 1 ? " × \(cv.repeats) repeats" : "")): each trial \
                trained one model per fold, and none of them is the trial's model, so none was kept. Train trial \(n)'s \
                configuration on every row with: nnsearch export \(folder.path) --trial \(n) --refit --out FILE
                """)
        }
        let path = folder.model(n)
        if FileManager.default.fileExists(atPath: path) { return (try SavedModel.read(path: path), path) }
        switch outcome.status {
        case .diverged:
            throw NNSearchError(.data, "trial \(n) of \(folder.path) diverged: it has no model to export")
        case .pruned:
            throw NNSearchError(.noInput, "trial \(n) of \(folder.path) was pruned at epoch \(outcome.epochs), so no model was kept for it;"
                + " --refit trains its configuration on every row for those \(outcome.epochs) epochs")
        case .completed:
            let keep = results.spec.modelsToKeep
            let why = keep == 0 ? "the spec keeps none (\"keep_models\": 0)"
                : "models/ keeps the best \(keep) (\"keep_models\"), and the search had none kept for this trial"
            throw NNSearchError(.noInput, "\(path): no kept model for trial \(n) — \(why); train its configuration on every row with:"
                + " nnsearch export \(folder.path) --trial \(n) --refit --out FILE")
        }
    }

    /// The best ranked trial with a kept model, for `predict DIR`.
    package static func bestKept(_ folder: SearchFolder) throws -> (model: SavedModel, source: String) {
        let results = try SearchResults(folder)
        let kept = Set(ModelStore.keptTrials(folder))
        guard let best = results.ranked.first(where: { !$0.metric.isNaN && kept.contains($0.number) }) else {
            let why = results.spec.validation.crossValidation != nil ? "it cross-validates, so no model is kept"
                : results.spec.modelsToKeep == 0 ? "its spec keeps none (\"keep_models\": 0)"
                : results.best == nil ? "no trial has completed yet" : "its models/ holds none"
            throw NNSearchError(.noInput, "\(folder.path): no kept model to predict with — \(why); write one with"
                + " nnsearch export \(folder.path) --refit --out MODEL.json, then run nnsearch predict MODEL.json DATA.csv")
        }
        let path = folder.model(best.number)
        return (try SavedModel.read(path: path), path)
    }

    /// The finished trial `number` (default the best), or an error saying why there is none.
    private static func finishedTrial(_ results: SearchResults, _ number: Int?) throws -> TrialOutcome {
        let folder = results.folder.path
        guard let number else {
            guard let best = results.best else {
                throw NNSearchError(.noInput, "\(folder): no trial has completed yet (\(results.trials.count)/\(results.trialCount) finished), so there is no best model")
            }
            return best
        }
        guard number >= 0, number < results.trialCount else {
            throw NNSearchError(.usage, "--trial \(number): \(folder) has trials 0 to \(results.trialCount - 1)")
        }
        guard let outcome = results.trials.first(where: { $0.number == number }) else {
            throw NNSearchError(.noInput, "trial \(number) of \(folder) has not finished (\(results.trials.count)/\(results.trialCount) trials finished)")
        }
        return outcome
    }

    // MARK: - Refit

    /// Trains `outcome`'s configuration on every row (training and validation, in file order) for
    /// the epochs it ran, with its seed: as scikit-learn's `refit=True` does, and deterministically
    /// (the same bytes every time). The encoding (fill values, categories) and the standardization
    /// statistics come from all the rows.
    static func refit(_ results: SearchResults, _ outcome: TrialOutcome) throws -> SavedModel {
        let spec = results.spec, folder = results.folder
        guard outcome.status != .diverged else {
            throw NNSearchError(.data, "trial \(outcome.number) of \(folder.path) diverged: there is no configuration worth refitting")
        }
        if let was = DataFingerprint.recorded(in: folder), let now = try DataFingerprint.current(spec), now != was {
            throw NNSearchError(.data, "\(now.path) changed since \(folder.path) was created (\(was.size) bytes then, \(now.size) now):"
                + " a refit on it would not be the configuration the search chose; restore the file")
        }
        let maximize = results.metric.maximize
        let snapshot = results.snapshot
        guard let trial = results.plan.trial(outcome.number, scores: { snapshot.state.score($0, maximize: maximize) }) else {
            throw NNSearchError(.software, "trial \(outcome.number)'s hyperparameters cannot be made from the results")
        }
        guard trial.values == outcome.values else {
            // The folder's spec.json was edited since the trial ran (its space, seed or strategy).
            throw NNSearchError(.data, "trial \(outcome.number)'s row says " + outcome.values.joined(separator: ",")
                + " but \(folder.spec) now makes " + trial.values.joined(separator: ",")
                + ": the spec changed since the search ran; export its kept model without --refit")
        }
        let (dataset, encoding) = try SearchData.allRows(spec)
        var rows = dataset
        var statistics: Standardization? = nil
        if trial.hyperparameters.normalize == .standardize {
            let s = Standardization(of: dataset.features, count: dataset.featureCount)
            s.apply(to: &rows.features)
            statistics = s
        }
        let runner = TrialRunner(hyperparameters: trial.hyperparameters, seed: trial.seed,
                                 data: TrainingData(train: rows, validation: rows).standardizingTargets())
        let epochs = min(outcome.epochs, trial.hyperparameters.epochs)
        while runner.records.count < epochs, !runner.isFinished { runner.runEpoch() }
        if runner.diverged {
            throw NNSearchError(.data, "the refit of trial \(outcome.number) diverged at epoch \(runner.records.count) on every row;"
                + " export its kept model without --refit instead")
        }
        let task = results.columns.task
        let classNames: [String]
        if case .classes(_, let names) = dataset.targets { classNames = names } else { classNames = [] }
        let context = ModelStore.context(spec: spec, encoding: encoding, classNames: classNames, task: task,
                                         standardization: statistics, metric: results.metric)
        // A pruned trial ranks by nothing; its figures at the rung it reached stand in.
        let metricValue = outcome.metric.isNaN ? (results.metric == .valLoss ? outcome.valLoss : outcome.valMetric) : outcome.metric
        return ModelStore.model(context, trial: trial, runner: runner, metricValue: metricValue,
                                figures: [outcome.trainLoss, outcome.valLoss, outcome.trainMetric, outcome.valMetric], refit: true)
    }
}
