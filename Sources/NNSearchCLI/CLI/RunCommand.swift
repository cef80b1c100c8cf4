import Foundation
import NNSearch

/// `nnsearch resume DIR [--workers N] [--foreground]` and the daemon's own `nnsearch _run DIR`.
enum RunCommand {
    static let usage = "nnsearch resume DIR [--workers N] [--foreground] [--force]"

    /// `resume`: continues a stopped or interrupted search, detached unless `--foreground`.
    static func resume(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "resume", options: ["workers"], flags: ["foreground", "force"])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = SearchFolder(args.positionals[0])
        let workers = try args.integer("workers", in: 1...256, command: "resume")
        guard folder.exists else {
            throw NNSearchError(.noInput, "\(folder.path) is not a search folder (no spec.json); start one with: nnsearch start SPEC.json")
        }
        if let owner = SearchLock.owner(directory: folder.path) {
            throw NNSearchError(.busy, "\(folder.path) is already running (nnsearch pid \(owner.pid) on \(owner.host), started \(owner.started))")
        }
        if let p = Progress.read(folder.progress), p.state == "finished" {
            standardOutput("\(folder.path) is finished (\(p.done)/\(p.total) trials); nothing to resume\n")
            return 0
        }
        try checkSpecUnchanged(folder, force: args.flags.contains("force"))
        if args.flags.contains("foreground") {
            return try SearchSession.run(folder: folder, workers: workers, display: isatty(1) == 1 ? .terminal : .lines)
        }
        return try detach(folder, workers: workers, verb: "resumed")
    }

    /// The folder's spec copy is what a resume runs; refuses (unless `force`) when the user's
    /// spec file, where the search was started from, now says something else.
    static func checkSpecUnchanged(_ folder: SearchFolder, force: Bool) throws {
        guard let origin = try? String(contentsOfFile: folder.file("origin"), encoding: .utf8),
              let line = origin.split(separator: "\n").first(where: { $0.hasPrefix("spec_path=") }) else { return }
        let path = String(line.dropFirst("spec_path=".count))
        guard FileManager.default.fileExists(atPath: path) else { return }
        let saved = try SearchSpec.load(path: folder.spec)
        let changes: [String]
        do {
            changes = saved.differences(from: try SearchSpec.load(path: path))
        } catch let error as NNSearchError {
            changes = ["it no longer loads: \(error.message)"]
        }
        guard !changes.isEmpty else { return }
        let list = changes.map { "  " + $0 }.joined(separator: "\n")
        if force {
            standardError("nnsearch: \(path) changed since the search started; resuming \(folder.spec) as run (--force):\n\(list)\n")
            return
        }
        throw NNSearchError(.usage, """
            \(path) changed since \(folder.path) started (folder copy → file now):
            \(list)
            A resume runs the folder's copy, \(folder.spec). Resume it anyway with --force, \
            or start the changed spec as a new search with: nnsearch start \(path) --out NEW_DIR
            """)
    }

    /// `_run DIR [--workers N]`: the daemon process itself (output goes to the folder's log).
    static func daemon(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "_run", options: ["workers"], flags: [])
        try args.expectPositionals(1, 1, usage: "nnsearch _run DIR [--workers N]")
        let workers = try args.integer("workers", in: 1...256, command: "_run")
        return try SearchSession.run(folder: SearchFolder(args.positionals[0]), workers: workers, display: .lines)
    }

    /// Starts the daemon on `folder`, waits until it holds the folder (or died), and says how to follow it.
    static func detach(_ folder: SearchFolder, workers: Int?, verb: String) throws -> Int32 {
        var arguments = ["_run", folder.path]
        if let workers { arguments += ["--workers", String(workers)] }
        let pid = try Daemon.spawnDetached(executable: Daemon.executablePath, arguments: arguments, logPath: folder.log)
        // Wait (briefly) for the daemon to take the lock, so `status` right after sees it running.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if SearchLock.owner(directory: folder.path)?.pid == pid { break }
            if !Daemon.isAlive(pid) {
                let log = (try? String(contentsOfFile: folder.log, encoding: .utf8)) ?? ""
                let tail = log.split(separator: "\n").suffix(5).joined(separator: "\n")
                throw NNSearchError(.software, "the search daemon exited at once; \(folder.log) says:\n\(tail)")
            }
            usleep(20_000)
        }
        standardOutput("""
            \(verb) search in \(folder.path) (pid \(pid))
              follow:  tail -f \(folder.trials)
              ranking: \(folder.leaderboard) (rewritten after every trial)
              status:  nnsearch status \(folder.path)
              stop:    nnsearch stop \(folder.path)

            """)
        return 0
    }
}
