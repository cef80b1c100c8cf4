import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch predict DIR|MODEL.json DATA.csv [--out FILE]`: a model's predictions for every row of
/// a CSV file, as CSV on standard output or in FILE (written atomically); the missing cells filled
/// and unknown categories met are counted on standard error.
enum PredictCommand {
    static let usage = "nnsearch predict DIR|MODEL.json DATA.csv [--out FILE]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "predict", options: ["out"], flags: [])
        try args.expectPositionals(2, 2, usage: usage)
        let (source, dataPath) = (args.positionals[0], args.positionals[1])
        var isDirectory: ObjCBool = false
        let model: SavedModel, path: String
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
            (model, path) = try ModelExport.bestKept(SearchFolder(source))
        } else {
            (model, path) = (try SavedModel.read(path: source), source)
        }
        let input = try ModelInput.read(path: dataPath, model: model)
        let text = model.predictionCSV(model.predict(input.features, rows: input.rows))
        if let summary = input.tally.summary { standardError("nnsearch: \(dataPath): \(summary)\n") }
        let what = "\(path) (trial \(model.origin.trial)\(model.origin.refit ? ", refit" : ""), \(model.origin.metric.rawValue) \(formatNumber(model.origin.metricValue)))"
        if let out = args.value("out") {
            try writeAtomically(Data(text.utf8), to: out)
            standardError("nnsearch: wrote \(input.rows) prediction\(input.rows == 1 ? "" : "s") to \(out) with \(what)\n")
        } else {
            standardError("nnsearch: \(input.rows) prediction\(input.rows == 1 ? "" : "s") with \(what)\n")
            standardOutput(text)
        }
        return 0
    }
}
