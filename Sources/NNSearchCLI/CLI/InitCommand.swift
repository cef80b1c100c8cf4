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
        let (folder, _) = try initialize(specPath: args.positionals[0], out: args.value("out"), workers: nil)
        let count = TrialPlan(spec: try SearchSpec.load(folder: folder)).count
        standardOutput(PreparationRecord.text(in: folder))
        standardOutput("""
            created search \(folder.path) (\(counted(count, "trial")))
              run workers:  nnsearch worker \(folder.path) [--workers N]   (any number, on any host sharing the folder)
              status:       nnsearch status \(folder.path)

            """)
        return 0
    }

    /// Everything that can be wrong with the spec or the data is found before anything is created;
    /// returns the folder and the data, loaded once. With `loadData` false (a detached `start`,
    /// whose worker process loads it) a CSV file's header and first rows are checked instead.
    static func initialize(specPath: String, out: String?, workers: Int?, loadData: Bool = true) throws -> (folder: SearchFolder, data: SearchData?) {
        if let out, out.trimmingCharacters(in: .whitespaces).isEmpty {
            throw NNSearchError.usage("--out needs a folder name, got \"\(out)\"")
        }
        let spec = try SearchSpec.load(path: specPath)
        let threads = workers ?? spec.workers ?? ProcessInfo.processInfo.activeProcessorCount
        let budget = MemoryBudget.current(maxMemory: spec.maxMemory)
        let folder = SearchFolder(out ?? SearchFolder.defaultPath(forSpec: specPath))
        let origin: SearchOrigin
        var data: SearchData? = nil
        if loadData {
            let loaded = try SearchData(spec: spec)
            let metric = try spec.resolvedMetric(for: loaded.task)
            try spec.checkMemory(shape: DataShape(loaded), workers: threads, budget: budget)
            try StartCommand.checkFree(folder)
            origin = SearchOrigin(specPath: absolute(specPath), metric: metric, task: loaded.task, chance: loaded.chance,
                                  fingerprint: try DataFingerprint.current(spec))
            data = loaded
        } else {
            try spec.checkMemory(shape: try DataShape(previewing: spec), workers: threads, budget: budget)
            try StartCommand.checkFree(folder)
            origin = SearchOrigin(specPath: absolute(specPath), pendingFor: spec, fingerprint: try DataFingerprint.current(spec))
        }
        try StartCommand.create(folder, spec: spec, origin: origin, preparation: data?.preparation)
        return (folder, data)
    }
}
