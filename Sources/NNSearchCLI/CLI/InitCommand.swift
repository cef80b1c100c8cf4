import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch init SPEC.json [--out DIR]`: validates the spec and its data and creates the search
/// folder, without running anything; worker processes (`nnsearch worker DIR`) then do the work.
enum InitCommand {
    static let usage = "nnsearch init SPEC.json [--out DIR]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "init", options: ["out"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = try initialize(specPath: args.positionals[0], out: args.value("out"))
        let count = TrialPlan(spec: try SearchSpec.load(path: folder.spec)).count
        standardOutput("""
            created search \(folder.path) (\(count) trials)
              run workers:  nnsearch worker \(folder.path) [--workers N]   (any number, on any host sharing the folder)
              status:       nnsearch status \(folder.path)

            """)
        return 0
    }

    /// Everything that can be wrong with the spec or the data is found before anything is created.
    static func initialize(specPath: String, out: String?) throws -> SearchFolder {
        if let out, out.trimmingCharacters(in: .whitespaces).isEmpty {
            throw NNSearchError.usage("--out needs a folder name, got \"\(out)\"")
        }
        let spec = try SearchSpec.load(path: specPath)
        let data = try SearchData(spec: spec)
        let metric = try spec.resolvedMetric(for: data.task)
        let folder = SearchFolder(out ?? SearchFolder.defaultPath(forSpec: specPath))
        try StartCommand.checkFree(folder)
        try StartCommand.create(folder, spec: spec, specPath: specPath, metric: metric, data: data)
        return folder
    }
}
