import Foundation
import NNSearch

/// `nnsearch start SPEC.json [--out DIR] [--workers N] [--foreground]`: `init`, then one worker
/// process (detached unless `--foreground`).
enum StartCommand {
    static let usage = "nnsearch start SPEC.json [--out DIR] [--workers N] [--foreground]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "start", options: ["out", "workers"], flags: ["foreground"])
        try args.expectPositionals(1, 1, usage: usage)
        let workers = try args.integer("workers", in: 1...256, command: "start")
        let foreground = args.flags.contains("foreground")
        let (folder, data) = try InitCommand.initialize(specPath: args.positionals[0], out: args.value("out"),
                                                         workers: workers, loadData: foreground)
        if foreground {
            standardOutput(PreparationRecord.text(in: folder))
            var options = WorkerSession.Options()
            options.workers = workers
            options.display = isatty(1) == 1 ? .terminal : .lines
            options.data = data
            return try WorkerSession.run(folder: folder, options: options)
        }
        do {
            return try RunCommand.detach(folder, workers: workers, verb: "started")
        } catch let error as NNSearchError {
            // Its worker died before joining (bad data deep in the file, no memory, a full disk):
            // nothing ran, so the folder this start made goes too, and a corrected start can reuse it.
            guard removeUnjoined(folder) else { throw error }
            throw NNSearchError(error.kind, error.message + "\n(nothing ran: \(folder.path) was removed)")
        }
    }

    /// Removes `folder` when no worker ever joined it (its journal is empty); whether it did.
    static func removeUnjoined(_ folder: SearchFolder) -> Bool {
        var info = stat()
        guard stat(folder.journal, &info) == 0, info.st_size == 0 else { return false }
        return (try? FileManager.default.removeItem(atPath: folder.path)) != nil
    }

    /// Refuses a folder that holds a search (finished or not) or other files.
    static func checkFree(_ folder: SearchFolder) throws {
        let fm = FileManager.default
        if folder.exists {
            guard let snapshot = try? SearchSnapshot(folder) else {
                throw NNSearchError(.unavailable, "\(folder.path) holds a search this nnsearch cannot read; remove the folder or choose another with --out DIR")
            }
            if let p = snapshot.live.first {
                throw NNSearchError(.busy, "\(folder.path) is running (nnsearch pid \(p.pid) on \(p.host)); see: nnsearch status \(folder.path)")
            }
            let done = "\(snapshot.state.doneCount)/\(snapshot.state.trialCount) trials"
            if snapshot.phase == .finished {
                throw NNSearchError(.unavailable, "\(folder.path) already holds a finished search (\(done)); remove the folder or choose another with --out DIR")
            }
            throw NNSearchError(.unavailable, "\(folder.path) holds an unfinished search (\(done) done); continue it with: nnsearch resume \(folder.path)")
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            let contents = isDirectory.boolValue ? (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] : ["?"]
            if !contents.isEmpty {
                throw NNSearchError(.unavailable, "\(folder.path) exists and is not a search folder; choose another with --out DIR")
            }
        }
    }

    /// Creates the folder whole: built under a temporary name, then renamed into place.
    static func create(_ folder: SearchFolder, spec: SearchSpec, origin: SearchOrigin, preparation: DataPreparation?) throws {
        let fm = FileManager.default
        // (NSString.deletingLastPathComponent traps on some relative paths in swift-corelibs-foundation.)
        let parent = folder.path.lastIndex(of: "/").map { String(folder.path[..<$0]) } ?? ""
        if !parent.isEmpty && !fm.fileExists(atPath: parent) {
            do { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            catch { throw NNSearchError(.io, "cannot create \(parent): \(error.localizedDescription)") }
        }
        let temporary = folder.path + ".tmp-\(getpid())"
        try? fm.removeItem(atPath: temporary)
        do {
            try fm.createDirectory(atPath: temporary + "/curves", withIntermediateDirectories: true)
            let staged = SearchFolder(temporary)
            var source = spec.source
            if source["name"] == nil {
                // The default name comes from the spec's file name, which the copy does not share.
                source = source.setting("name", to: .string(spec.name))
            }
            if case .csv(let path, _, _) = spec.data, let data = source["data"] {
                // The copy reads the CSV relative to the search folder, so the folder is self-contained.
                source = source.setting("data", to: data.setting("csv", to: .string(relativePath(from: absolute(folder.path), to: path))))
            }
            if let tpe = spec.tpe {
                // Written out, so a later version's default cannot change how this search samples.
                source = source.setting("multivariate", to: .bool(tpe.multivariate))
            }
            // A record copied in with the spec (from another folder's spec.json) is not this data's.
            source = source.removing(PreparationRecord.key)
            if let preparation { source = PreparationRecord.adding(preparation, to: source) }
            try writeAtomically(Data((source.prettyText() + "\n").utf8), to: staged.spec, sync: true)
            try origin.write(to: staged)
            try writeAtomically(Data(), to: staged.journal, sync: true)
            guard rename(temporary, folder.path) == 0 else {
                if errno == ENOTEMPTY || errno == EEXIST {
                    throw NNSearchError(.unavailable, "\(folder.path) was created by another nnsearch at the same moment; see: nnsearch status \(folder.path)")
                }
                throw ioError("cannot create \(folder.path)")
            }
        } catch {
            try? fm.removeItem(atPath: temporary)
            if let e = error as? NNSearchError { throw e }
            throw NNSearchError(.io, "cannot create \(folder.path): \(error.localizedDescription)")
        }
    }
}

/// `path` made absolute against the current directory, with `.` and `..` resolved.
func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return URL(fileURLWithPath: full).standardizedFileURL.path
}

/// A relative path from directory `from` to `to` (both absolute).
func relativePath(from: String, to: String) -> String {
    let a = from.split(separator: "/"), b = to.split(separator: "/")
    var common = 0
    while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
    let ups = Array(repeating: "..", count: a.count - common)
    return (ups + b[common...].map(String.init)).joined(separator: "/")
}
