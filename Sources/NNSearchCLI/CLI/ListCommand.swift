import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch list [DIR]`: every search folder under DIR (default `searches`) with its state and best result.
enum ListCommand {
    static let usage = "nnsearch list [DIR]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "list", options: [], flags: [])
        try args.expectPositionals(0, 1, usage: usage)
        let root = args.positionals.first ?? "searches"
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root) else {
            throw NNSearchError(.noInput, "\(root): no such folder; name the folder that holds your searches")
        }
        let folders = names.sorted().map { SearchFolder(root + "/" + $0) }.filter(\.exists)
        guard !folders.isEmpty else {
            standardOutput("no searches in \(root)/ yet; start one with: nnsearch start \(root)/NAME.json\n")
            return 0
        }
        var rows = [["SEARCH", "STATE", "TRIALS", "BEST"]]
        for folder in folders {
            guard let s = try? SearchSnapshot(folder) else {
                rows.append([folder.path, "unreadable", "-", "-"])
                continue
            }
            var best = "-"
            if let b = s.best, let metric = s.metric { best = "\(metric.rawValue) \(formatNumber(b.value)) (trial \(b.trial))" }
            rows.append([folder.path, s.phase.name, "\(s.state.doneCount)/\(s.state.trialCount)", best])
        }
        for line in textTable(rows) { standardOutput(line + "\n") }
        return 0
    }
}
