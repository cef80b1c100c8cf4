import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch resume DIR [--workers N] [--foreground] [--force]`: a worker process, detached, on a
/// stopped or interrupted search (lifting a stop first).
enum RunCommand {
    static let usage = "nnsearch resume DIR [--workers N] [--foreground] [--force] [--no-worker]"

    /// `resume`: continues a stopped or interrupted search, detached unless `--foreground`.
    static func resume(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "resume", options: ["workers"], flags: ["foreground", "force", "no-worker"])
        try args.expectPositionals(1, 1, usage: usage)
        let folder = SearchFolder(args.positionals[0])
        let workers = try args.integer("workers", in: 1...256, command: "resume")
        guard folder.exists else {
            throw NNSearchError(.noInput, "\(folder.path) is not a search folder (no spec.json); start one with: nnsearch start SPEC.json")
        }
        let snapshot = try SearchSnapshot(folder)
        if snapshot.phase == .finished {
            var quiet = WorkerSession.Options()
            quiet.quiet = true
            _ = try WorkerSession.run(folder: folder, options: quiet)   // rebuilds a deleted or edited view
            standardOutput("\(folder.path) is finished (\(snapshot.state.doneCount)/\(snapshot.state.trialCount) trials); nothing to resume\n")
            return 0
        }
        if snapshot.phase == .timeLimit {
            standardOutput("\(folder.path) used its time budget (max_seconds \(formatNumber(snapshot.spec.maxSeconds ?? 0))) with \(snapshot.state.doneCount)/\(snapshot.state.trialCount) trials; nothing to resume (raise max_seconds in a new search to go on)\n")
            return 0
        }
        try checkSpecUnchanged(folder, force: args.flags.contains("force"))
        try checkDataUnchanged(folder, spec: snapshot.spec, force: args.flags.contains("force"))
        if snapshot.state.stopped {
            try SearchCoordinator.append(.resume(by: "\(localHostName)/\(getpid())", time: Date().timeIntervalSince1970), to: folder)
        }
        if args.flags.contains("no-worker") {
            standardOutput("\(folder.path): " + (snapshot.state.stopped ? "stop lifted" : "not stopped")
                           + "; workers may join it now (nnsearch worker \(folder.path), or a new job array)\n")
            return 0
        }
        if args.flags.contains("foreground") {
            var options = WorkerSession.Options()
            options.workers = workers
            options.display = isatty(1) == 1 ? .terminal : .lines
            return try WorkerSession.run(folder: folder, options: options)
        }
        return try detach(folder, workers: workers, verb: "resumed")
    }

    /// The folder's spec copy is what a resume runs; refuses (unless `force`) when the user's
    /// spec file, where the search was started from, now says something else.
    static func checkSpecUnchanged(_ folder: SearchFolder, force: Bool) throws {
        guard let path = SearchOrigin.read(folder).specPath else { return }
        guard FileManager.default.fileExists(atPath: path) else { return }
        let saved = try SearchSpec.load(folder: folder)
        let changes: [String]
        do {
            var current = try SearchSpec.load(path: path)
            if current.source["multivariate"] == nil, let sampler = saved.tpe?.multivariate, current.tpe != nil {
                // Left out, it means what it meant when the search started (a folder from before the key: independent).
                current.tpe?.multivariate = sampler
            }
            changes = saved.differences(from: current)
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

    /// Refuses (unless `force`, which records the new file) data that changed since the search began.
    static func checkDataUnchanged(_ folder: SearchFolder, spec: SearchSpec, force: Bool) throws {
        do {
            try DataFingerprint.check(spec, folder: folder)
        } catch let error as NNSearchError where error.kind == .data && force {
            guard let now = try DataFingerprint.current(spec) else { return }
            try now.record(in: folder)
            standardError("nnsearch: \(now.path) changed since the search started; resuming on the new data (--force): trials already done were trained on the old\n")
        }
    }

    /// Starts a worker process on `folder` detached from the terminal, waits until it has joined
    /// the search (or died), and says how to follow it.
    static func detach(_ folder: SearchFolder, workers: Int?, verb: String) throws -> Int32 {
        var arguments = ["worker", folder.path]
        if let workers { arguments += ["--workers", String(workers)] }
        var info = stat()
        let logStart = stat(folder.log, &info) == 0 ? Int(info.st_size) : 0   // this run's lines start here
        let pid = try Daemon.spawnDetached(executable: Daemon.executablePath, arguments: arguments, logPath: folder.log)
        // Wait (briefly) for the worker to join, so `status` right after sees it running.
        // One snapshot, read on incrementally: a long journal is replayed once, not every 20 ms.
        var snapshot = try SearchSnapshot(folder)
        // It loads the data before joining: a large CSV file gets a second per 5 MB on top.
        let dataSize = snapshot.spec.dataFileSize ?? 0
        let deadline = Date().addingTimeInterval(30 + Double(dataSize) / 5e6)
        while Date() < deadline {
            try snapshot.refresh()
            if snapshot.state.processes.values.contains(where: { $0.pid == pid && $0.pidSpace == localPidSpace }) { break }
            if !Daemon.isAlive(pid) {
                var code: Int32? = nil
                for _ in 0..<100 where code == nil { code = Daemon.exitStatus(of: pid); if code == nil { usleep(10_000) } }
                // Status 0 before joining: nothing was left to do (finished meanwhile).
                if code == 0 { break }
                // It died before joining: say why, with its own exit status.
                let log = FileManager.default.contents(atPath: folder.log).map { String(decoding: $0.dropFirst(logStart), as: UTF8.self) } ?? ""
                let lines = log.split(separator: "\n").map(String.init)
                let reason = lines.last { $0.hasPrefix("nnsearch: ") }.map { String($0.dropFirst("nnsearch: ".count)) }
                    ?? (lines.isEmpty ? "it printed nothing" : lines.suffix(3).joined(separator: "\n"))
                throw NNSearchError(exitCode: code ?? 70, "the search's worker process (pid \(pid)) exited with status \(code.map(String.init) ?? "unknown") before joining: \(reason)")
            }
            usleep(20_000)
        }
        if verb == "started" { standardOutput(PreparationRecord.text(in: folder)) }
        standardOutput("""
            \(verb) search in \(folder.path) (pid \(pid))
              watch:   nnsearch watch \(folder.path)   (live ranking, running trials, best so far)
              stream:  tail -f \(folder.trials)   (one row per finished trial)
              explain: nnsearch explain \(folder.path)   report: nnsearch report \(folder.path)
              status:  nnsearch status \(folder.path)
              stop:    nnsearch stop \(folder.path)
              more workers, on this or other hosts sharing the folder: nnsearch worker \(folder.path)

            """)
        return 0
    }
}
