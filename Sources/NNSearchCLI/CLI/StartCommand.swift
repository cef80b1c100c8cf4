import Foundation
import NNSearch

/// `nnsearch start SPEC.json [--out DIR] [--workers N] [--foreground]`: create the search folder and run it.
enum StartCommand {
    static let usage = "nnsearch start SPEC.json [--out DIR] [--workers N] [--foreground]"

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "start", options: ["out", "workers"], flags: ["foreground"])
        try args.expectPositionals(1, 1, usage: usage)
        let specPath = args.positionals[0]
        let workers = try args.integer("workers", in: 1...256, command: "start")
        // Everything that can be wrong with the spec or the data is found before anything is created.
        let spec = try SearchSpec.load(path: specPath)
        let data = try SearchData(spec: spec)
        _ = try spec.resolvedMetric(for: data.task)
        let folder = SearchFolder(args.value("out") ?? SearchFolder.defaultPath(forSpec: specPath))
        try checkFree(folder)
        try create(folder, spec: spec, specPath: specPath)
        if args.flags.contains("foreground") {
            return try SearchSession.run(folder: folder, workers: workers, display: isatty(1) == 1 ? .terminal : .lines)
        }
        return try RunCommand.detach(folder, workers: workers, verb: "started")
    }

    /// Refuses a folder that holds a search (finished or not) or other files.
    static func checkFree(_ folder: SearchFolder) throws {
        let fm = FileManager.default
        if folder.exists {
            if let owner = SearchLock.owner(directory: folder.path) {
                throw NNSearchError(.busy, "\(folder.path) is running (nnsearch pid \(owner.pid) on \(owner.host)); see: nnsearch status \(folder.path)")
            }
            let p = Progress.read(folder.progress)
            if let p, p.state == "finished" {
                throw NNSearchError(.unavailable, "\(folder.path) already holds a finished search (\(p.done)/\(p.total) trials); remove the folder or choose another with --out DIR")
            }
            let done = p.map { " (\($0.done)/\($0.total) trials done)" } ?? ""
            throw NNSearchError(.unavailable, "\(folder.path) holds an unfinished search\(done); continue it with: nnsearch resume \(folder.path)")
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
    static func create(_ folder: SearchFolder, spec: SearchSpec, specPath: String) throws {
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
            try writeAtomically(Data((source.prettyText() + "\n").utf8), to: staged.spec, sync: true)
            try writeAtomically(Data("spec_path=\(absolute(specPath))\n".utf8), to: staged.file("origin"), sync: true)
            guard rename(temporary, folder.path) == 0 else { throw ioError("cannot create \(folder.path)") }
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
