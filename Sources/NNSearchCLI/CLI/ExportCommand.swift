import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch export DIR [--trial N] [--refit] --out FILE`: one trial's model as nnsearch's JSON
/// format (`.json`) or an ONNX model (`.onnx`), written atomically.
enum ExportCommand {
    static let usage = "nnsearch export DIR [--trial N] [--refit] --out FILE.json|FILE.onnx"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "export", options: ["trial", "out"], flags: ["refit"])
        try args.expectPositionals(1, 1, usage: usage)
        guard let out = args.value("out") else {
            throw NNSearchError.usage("export: --out FILE is required: FILE.json writes nnsearch's model format, FILE.onnx an ONNX model")
        }
        let onnx = out.lowercased().hasSuffix(".onnx")
        guard onnx || out.lowercased().hasSuffix(".json") else {
            throw NNSearchError.usage("export: --out \(out): the format follows the extension: .json (nnsearch's model format) or .onnx")
        }
        let trial = try args.integer("trial", in: 0...Int.max, command: "export")
        let folder = SearchFolder(args.positionals[0])
        let (model, source) = try ModelExport.model(folder, trial: trial, refit: args.flags.contains("refit"))
        let bytes = onnx ? Data(model.onnx(producerVersion: CommandLine.version)) : Data(try model.jsonText().utf8)
        try writeAtomically(bytes, to: out)
        let figure = "\(model.origin.metric.rawValue) \(formatNumber(model.origin.metricValue))"
        let trained = model.origin.refit
            ? "refit on all \(model.origin.rows) rows for \(model.origin.epochs) epochs; its \(figure) is the trial's in the search"
            : "trained on \(model.origin.rows) rows for \(model.origin.epochs) epochs, \(figure)"
        standardOutput("wrote \(out) (\(onnx ? "ONNX, opset \(SavedModel.onnxOpset)" : "nnsearch model format \(SavedModel.formatVersion)")):"
            + " trial \(model.origin.trial), \(trained); from \(source)\n")
        return 0
    }
}
