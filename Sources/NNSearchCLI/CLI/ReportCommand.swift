import Foundation
import NNSearch

/// `nnsearch report DIR [--out FILE]`: writes the search's `report.html`, one self-contained page.
enum ReportCommand {
    static let usage = "nnsearch report DIR [--out FILE]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "report", options: ["out"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = SearchFolder(args.positionals[0])
        let path = args.value("out") ?? folder.report
        let results = try SearchResults(folder)
        try SearchReport.write(results, to: path)
        standardOutput("wrote \(path) (\(results.trials.count)/\(results.trialCount) trials); open it in a browser"
                       + (results.phase == .running ? " — the workers refresh it as trials finish" : "") + "\n")
        return 0
    }
}
