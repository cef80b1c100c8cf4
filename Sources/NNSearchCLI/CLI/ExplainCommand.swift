import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch explain DIR [--next FILE]`: why the trials did what they did, in figures and sentences,
/// and a narrowed spec for the next search.
enum ExplainCommand {
    static let usage = "nnsearch explain DIR [--next FILE]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "explain", options: ["next"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let results = try SearchResults(SearchFolder(args.positionals[0]))
        let explanation = Explanation(results)
        standardOutput(text(explanation, results))
        let next = Explanation.nextSpec(results)
        if let path = args.value("next") {
            guard let next else {
                throw NNSearchError(.data, "\(results.folder.path): no trial completed, so there is nothing to narrow the space around; --next wrote nothing")
            }
            try writeNext(next, results: results, to: path)
            standardOutput("\nnext search written to \(path); run it with: nnsearch start \(path)\n")
        } else if next != nil {
            standardOutput("\nwrite a next search narrowed around the best trials with: nnsearch explain \(results.folder.path) --next FILE.json\n")
        }
        return 0
    }

    /// The explanation as the terminal shows it.
    static func text(_ e: Explanation, _ results: SearchResults) -> String {
        var out = "search \(results.folder.path): \(results.phase.name), \(e.finished)/\(e.total) trials finished, ranked by \(e.metric.rawValue)\n"
        let pruned = results.trials.filter { $0.status == .pruned }.count
        let counts = Diagnosis.allCases.compactMap { d in e.diagnoses[d].map { "\(d.rawValue) \($0)" } } + (pruned > 0 ? ["pruned \(pruned)"] : [])
        if !counts.isEmpty { out += "diagnosis: " + counts.joined(separator: ", ") + "\n" }
        if !results.unreadable.isEmpty {
            out += "left out: \(results.unreadable.count) recorded row\(results.unreadable.count == 1 ? "" : "s") that could not be read "
                + "(trials " + results.unreadable.prefix(8).map(String.init).joined(separator: ", ") + ")\n"
        }
        out += "\n" + e.sentences.map { wrap("- " + $0, indent: "  ") }.joined() + "\n"
        guard !e.factors.isEmpty, e.finished > 0 else { return out }
        var rows = [["HYPERPARAMETER", "IMPORTANCE", "VALUE", "TRIALS", "BEST", "MEDIAN", "DIAGNOSES"]]
        for factor in e.factors {
            for (i, g) in factor.groups.enumerated() {
                let diagnoses = Diagnosis.allCases.compactMap { d in g.diagnoses[d].map { "\(d.rawValue) \($0)" } }.joined(separator: ", ")
                rows.append([i == 0 ? factor.name : "", i == 0 ? factor.importance.map { "\(Int(($0 * 100).rounded())) %" } ?? "-" : "",
                             g.label, String(g.trials), figure(g.best), figure(g.median), diagnoses])
            }
        }
        out += textTable(rows).map { $0 + "\n" }.joined()
        out += "importance: the share of the metric's variance each hyperparameter explains alone (fANOVA over a random forest of the trials)\n"
        return out
    }

    /// A table figure: "-" when no trial of the group completed (all diverged or pruned).
    static func figure(_ x: Double) -> String { x.isNaN ? "-" : formatSignificant(x, digits: 4) }


    /// `text` wrapped at 100 columns, continuation lines indented.
    static func wrap(_ text: String, indent: String) -> String {
        var lines = [String](), line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > 100 {
                lines.append(line)
                line = indent + word
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Writes the next spec (a CSV path made relative to the new file's folder), after checking it loads.
    static func writeNext(_ next: JSONValue, results: SearchResults, to path: String) throws {
        var spec = next
        let directory = absolute(path).split(separator: "/").dropLast().joined(separator: "/")
        if case .csv(let csv, _, _) = results.spec.data, let data = spec["data"] {
            spec = spec.setting("data", to: data.setting("csv", to: .string(relativePath(from: "/" + directory, to: csv))))
        }
        _ = try SearchSpec.parse(spec, file: path, baseDirectory: "/" + directory)
        try writeAtomically(Data((spec.prettyText() + "\n").utf8), to: path)
    }
}
