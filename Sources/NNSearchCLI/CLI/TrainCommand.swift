import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch train SPEC.json --set k=v ... [--seed N] [--csv]`: one trial with its learning curve.
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
        let trainingData = data.data(for: hyperparameters.normalize)
        let runner = TrialRunner(hyperparameters: hyperparameters, seed: seed, data: trainingData)
        let metricName = data.task == .classification ? "val_accuracy" : "val_r2"
        let trainName = data.task == .classification ? "train_accuracy" : "train_r2"
        let csv = args.flags.contains("csv")
        if csv {
            output(csvLine(["epoch", "lr", "train_loss", "val_loss", trainName, metricName]))
        } else {
            output(describe(hyperparameters, runner: runner, data: trainingData, seed: seed))
        }
        while !runner.isFinished {
            let r = runner.runEpoch()
            if csv {
                output(csvLine([String(r.epoch), formatNumber(r.lr), formatNumber(r.trainLoss),
                                formatNumber(r.valLoss), formatNumber(r.trainMetric), formatNumber(r.valMetric)]))
            } else {
                output(String(format: "epoch %4d/%d  lr %-10@ train_loss %.6f  val_loss %.6f  %@ %.4f  %@ %.4f\n",
                              r.epoch, hyperparameters.epochs, formatNumber(r.lr) as NSString,
                              r.trainLoss, r.valLoss, trainName as NSString, r.trainMetric, metricName as NSString, r.valMetric))
            }
        }
        if !csv, let last = runner.records.last {
            let diagnosis = Diagnosis.of(runner.records, diverged: last.diverged, chance: data.chance)
            output("diagnosis: \(diagnosis.rawValue) — \(diagnosis.meaning)\n")
            if last.diverged {
                output("diverged at epoch \(last.epoch): the loss became \(formatNumber(last.trainLoss.isFinite ? last.valLoss : last.trainLoss)); try a smaller lr or normalize=standardize\n")
            } else {
                output("done: \(last.epoch) epochs, \(metricName) \(String(format: "%.4f", last.valMetric))\n")
            }
        }
        return 0
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
