import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch train SPEC.json --set k=v ... [--seed N] [--csv]`: one trial with its learning curve
/// (with cross-validation in the spec, over its folds).
enum TrainCommand {
    static let usage = "nnsearch train SPEC.json [--set NAME=VALUE]... [--seed N] [--csv]"

    static func run(_ arguments: [String], output: (String) -> Void) throws -> Int32 {
        let args = try Arguments(arguments, command: "train", options: ["set", "seed"], flags: ["csv"])
        try args.expectPositionals(1, 1, usage: usage)
        let spec = try SearchSpec.load(path: args.positionals[0])
        var overrides = [(name: String, value: JSONValue)]()
        for assignment in args.options["set"] ?? [] {
            overrides.append(try parseAssignment(assignment))
        }
        let hyperparameters = try spec.singleTrial(overrides: overrides)
        var seed = spec.seed
        if let text = args.value("seed") {
            guard let s = UInt64(text) else {
                throw NNSearchError.usage("train: --seed expects a non-negative integer, got \"\(abbreviated(text))\"")
            }
            seed = s
        }
        let data = try SearchData(spec: spec)
        _ = try spec.resolvedMetric(for: data.task)
        try spec.checkMemory(shape: DataShape(data), workers: 1, budget: MemoryBudget.current(maxMemory: spec.maxMemory),
                             configuration: hyperparameters)
        let csv = args.flags.contains("csv")
        let names = (train: data.task == .classification ? "train_accuracy" : "train_r2",
                     metric: data.task == .classification ? "val_accuracy" : "val_r2")
        if let cv = spec.validation.crossValidation {
            return trainFolds(hyperparameters, cv: cv, seed: seed, data: data, names: names, csv: csv, output: output)
        }
        let trainingData = data.data(for: hyperparameters.normalize)
        let runner = TrialRunner(hyperparameters: hyperparameters, seed: seed, data: trainingData)
        if csv {
            output(csvLine(["epoch", "lr", "train_loss", "val_loss", names.train, names.metric]))
        } else {
            output(describe(hyperparameters, runner: runner, data: trainingData, seed: seed))
        }
        while !runner.isFinished {
            let r = runner.runEpoch()
            output(csv ? csvRow(r) : epochLine(r, epochs: hyperparameters.epochs, names: names))
        }
        if !csv, let last = runner.records.last {
            output(ending(runner.records, chance: data.chance))
            if !last.diverged {
                output("done: \(last.epoch) epochs, \(names.metric) \(String(format: "%.4f", last.valMetric))\n")
            }
        }
        return 0
    }

    /// One trial over the folds of a cross-validation, as a search trains it: each fold's epochs as
    /// they run, then the mean over the folds and their standard deviation. With `--csv`, the mean
    /// curve (the columns of the search's `curves/` files) once every fold has run.
    static func trainFolds(_ h: Hyperparameters, cv: CrossValidation, seed: UInt64, data: SearchData,
                           names: (train: String, metric: String), csv: Bool, output: (String) -> Void) -> Int32 {
        let runner = FoldRunner(hyperparameters: h, seed: seed, rounds: cv.rounds) { data.data(for: h.normalize, round: $0) }
        if !csv {
            let repeats = cv.repeats == 1 ? "" : " × \(cv.repeats) repeats"
            output("cross-validation: \(cv.folds) folds\(repeats), one model each, the same seed; ")
            output(describe(h, runner: runner.current, data: data.data(for: h.normalize, round: 0), seed: seed))
        }
        var round = -1
        while !runner.isFinished {
            if !csv && runner.round != round {
                round = runner.round
                output("\(cv.position(round: round)): train \(runner.current.data.train.rows) rows, validate \(runner.current.data.validation.rows) rows\n")
            }
            runner.trainEpoch()
            // The epoch just run: the current round's last, or (once a round ends) the finished round's.
            if !csv, let r = runner.round == round ? runner.latest : runner.finished.last?.last {
                output(epochLine(r, epochs: h.epochs, names: names))
            }
        }
        let curve = runner.curve
        if csv {
            output(csvLine(["epoch", "lr", "train_loss", "val_loss", names.train, names.metric]))
            for r in curve { output(csvRow(r)) }
            return 0
        }
        guard let last = curve.last else { return 0 }
        output("mean over the folds:\n")
        for r in curve { output(epochLine(r, epochs: h.epochs, names: names)) }
        output(ending(curve, chance: data.chance))
        if !last.diverged, let spread = runner.spread {
            output("done: \(last.epoch) epochs × \(cv.rounds) models, \(names.metric) \(String(format: "%.4f", last.valMetric))"
                   + " ± \(String(format: "%.4f", spread.valMetric)), val_loss \(String(format: "%.6f", last.valLoss))"
                   + " ± \(String(format: "%.6f", spread.valLoss)) (mean ± standard deviation over the folds)\n")
        }
        return 0
    }

    static func csvRow(_ r: EpochRecord) -> String {
        csvLine([String(r.epoch), formatNumber(r.lr), formatNumber(r.trainLoss),
                 formatNumber(r.valLoss), formatNumber(r.trainMetric), formatNumber(r.valMetric)])
    }

    static func epochLine(_ r: EpochRecord, epochs: Int, names: (train: String, metric: String)) -> String {
        String(format: "epoch %4d/%d  lr %-10@ train_loss %.6f  val_loss %.6f  %@ %.4f  %@ %.4f\n",
               r.epoch, epochs, formatNumber(r.lr) as NSString,
               r.trainLoss, r.valLoss, names.train as NSString, r.trainMetric, names.metric as NSString, r.valMetric)
    }

    /// The diagnosis line, and where the loss diverged if it did.
    static func ending(_ records: [EpochRecord], chance: ChanceLevel) -> String {
        guard let last = records.last else { return "" }
        let diagnosis = Diagnosis.of(records, diverged: last.diverged, chance: chance)
        var text = "diagnosis: \(diagnosis.rawValue) — \(diagnosis.meaning)\n"
        if last.diverged {
            text += "diverged at epoch \(last.epoch): the loss became \(formatNumber(last.trainLoss.isFinite ? last.valLoss : last.trainLoss)); try a smaller lr or normalize=standardize\n"
        }
        return text
    }

    /// Parses `NAME=VALUE`; VALUE is JSON when it parses as JSON, otherwise a string.
    static func parseAssignment(_ text: String) throws -> (name: String, value: JSONValue) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw NNSearchError.usage("train: --set expects NAME=VALUE (e.g. --set lr=0.01), got \"\(abbreviated(text))\"")
        }
        let name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let raw = String(text[text.index(after: eq)...])
        let value = (try? parseJSON(raw, file: "--set \(name)")) ?? .string(raw)
        return (name, value)
    }

    /// One line saying what is being trained.
    static func describe(_ h: Hyperparameters, runner: TrialRunner, data: TrainingData, seed: UInt64) -> String {
        let layout = runner.model.layout
        let shape = layout.dims.map(String.init).joined(separator: "-")
        var optimizer = h.optimizer.rawValue
        if h.optimizer == .momentum { optimizer += " \(formatNumber(h.momentum))" + (h.nesterov ? " nesterov" : "") }
        if h.effectiveWeightDecay > 0 { optimizer += " wd \(formatNumber(h.effectiveWeightDecay))" }
        var line = "train: \(data.train.rows) rows, validate: \(data.validation.rows) rows; mlp \(shape) \(h.activation.rawValue)"
        line += " (\(layout.realParameterCount) parameters), normalize \(h.normalize.rawValue)"
        if h.dropout > 0 { line += ", dropout \(formatNumber(h.dropout))" }
        line += "; \(optimizer) lr \(formatNumber(h.lr)) \(h.schedule), batch \(runner.batchSize), \(h.epochs) epochs, seed \(seed)\n"
        return line
    }
}
