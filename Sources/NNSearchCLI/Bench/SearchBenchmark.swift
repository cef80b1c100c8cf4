import Foundation
import NNSearch
import NNSearchKernel

extension Benchmark {
    /// The search spec that mirrors `../shared/anchors/optuna_search.py bin 40 2 20`: the same space
    /// (StepLR every epochs/3 = 6 epochs with gamma 1, 0.5 or 0.1), standardized inputs, 2 workers.
    static let optunaLikeSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 2000, "seed": 0}, "strategy": "random", "trials": 40,
         "seed": 0, "workers": 2,
         "space": {"depth": [1, 2, 3, 4], "width": [8, 32, 64, 128], "lr": {"log_uniform": [0.0001, 0.1]},
                   "optimizer": ["sgd", "momentum", "adam"], "batch_size": [16, 64],
                   "schedule": ["constant", {"step": 6, "gamma": 0.5}, {"step": 6, "gamma": 0.1}],
                   "epochs": 20, "normalize": "standardize"}}
        """#

    /// 64 trials of equal cost (momentum does not change Adam's work), for the 1-worker / 2-worker comparison.
    static let fixedListSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 2000, "seed": 0}, "strategy": "grid", "seed": 0,
         "space": {"lr": [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01, 0.011, 0.012, 0.013, 0.014, 0.015, 0.016],
                   "momentum": [0.5, 0.6, 0.7, 0.8],
                   "depth": 2, "width": 64, "epochs": 10, "batch_size": 32, "optimizer": "adam", "normalize": "standardize"}}
        """#

    /// 64 trials of the seed's kind (2→2→3, batch 1, momentum, 50 epochs × 2000 rows; rates and momenta
    /// drawn), which train in lockstep.
    static let seedLikeSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 2500, "seed": 0}, "strategy": "random", "trials": 64,
         "seed": 0, "workers": 2,
         "space": {"depth": 1, "width": 2, "lr": {"log_uniform": [0.0003, 0.03]}, "momentum": {"uniform": [0.5, 0.95]},
                   "optimizer": "momentum", "batch_size": 1, "epochs": 50}}
        """#

    /// 200 short trials (about 10 ms each), for 2 processes × 1 thread against 1 process × 2 threads.
    static let shortTrialsSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 1250, "seed": 0}, "strategy": "random", "trials": 200,
         "seed": 0, "space": {"depth": 2, "width": 32, "lr": {"log_uniform": [0.001, 0.1]}, "epochs": 10, "batch_size": 32,
                              "normalize": "standardize"}}
        """#

    /// 200 tiny trials (well under a millisecond each): the journal's work dominates.
    static let tinyTrialsSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 500, "seed": 0}, "strategy": "random", "trials": 200,
         "seed": 0, "space": {"depth": 1, "width": 16, "lr": {"log_uniform": [0.001, 0.1]}, "epochs": 3, "batch_size": 32,
                              "normalize": "standardize"}}
        """#

    /// A 100,000-trial grid of one-epoch trials on 200 training rows: flat memory, short status, quick stop.
    static let hugeGridSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 250, "seed": 0}, "strategy": "grid", "seed": 0, "workers": 2,
         "space": {"lr": [0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
                   "momentum": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
                   "width": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "dropout": [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09],
                   "weight_decay": [0, 0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0006, 0.0007, 0.0008, 0.0009],
                   "depth": 1, "epochs": 1, "batch_size": 64, "optimizer": "momentum"}}
        """#

    /// 10,100 trivial trials, to time the journal's own work per trial once 10,000 have finished.
    static let manyTrialsSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 40, "seed": 0}, "strategy": "random", "trials": 10100,
         "seed": 0, "workers": 2,
         "space": {"depth": 0, "lr": {"log_uniform": [0.001, 0.1]}, "optimizer": ["sgd", "adam"], "epochs": 1, "batch_size": 32}}
        """#


    /// Creates a search folder for `json` under `root`.
    static func makeSearch(_ json: String, name: String, root: String) throws -> SearchFolder {
        let specPath = root + "/" + name + ".json"
        try Data(json.utf8).write(to: URL(fileURLWithPath: specPath))
        let folder = SearchFolder(root + "/" + name)
        try? FileManager.default.removeItem(atPath: folder.path)
        _ = try InitCommand.initialize(specPath: specPath, out: folder.path, workers: nil)
        return folder
    }

    /// Creates a search folder for `json` under `root` and runs it in this process; returns the folder and seconds.
    @discardableResult
    static func runSearch(_ json: String, name: String, workers: Int? = nil, root: String, lockstep: Bool = true,
                          observer: @escaping Executor.Observer = { _, _ in }) throws -> (folder: SearchFolder, seconds: Double) {
        let folder = try makeSearch(json, name: name, root: root)
        let t0 = DispatchTime.now().uptimeNanoseconds
        var options = WorkerSession.Options()
        options.workers = workers
        options.quiet = true
        options.report = false
        options.observer = observer
        options.lockstep = lockstep
        _ = try WorkerSession.run(folder: folder, options: options)
        return (folder, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// Runs the search benchmarks and prints their figures; with `anchors`, Optuna + PyTorch's
    /// 40-trial search in the same run.
    static func runSearch(repeats: Int, anchors: Anchors?, print: (String) -> Void) throws {
        let root = NSTemporaryDirectory() + "nnsearch-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let n = max(3, repeats / 3)
        try benchCheckpoints(print: print)
        try benchPruning(root: root, print: print)

        var seconds = [Double]()
        var best = ""
        for i in 0..<n {
            let (folder, t) = try runSearch(optunaLikeSpec, name: "optuna-like-\(i)", root: root)
            seconds.append(t)
            best = try SearchSnapshot(folder).best.map { "best val_accuracy \(formatNumber($0.value)) (trial \($0.trial))" } ?? "-"
        }
        print("search: 40 random trials sum_bin 20 epochs, 2 workers (the optuna anchor's space): \(fmt(median(seconds), 3)) s, \(best)")
        if let optuna = anchors?.run("optuna_search.py", ["bin", "40", "2", "20"], print: print),
           let wall = optuna["seconds"].flatMap(Double.init) {
            print("  Optuna + PyTorch, same run (optuna_search.py bin 40 2 20): \(fmt(wall, 1)) s, best val_accuracy \(optuna["best_val"] ?? "-"): nnsearch \(fmt(wall / median(seconds), 0))x faster (goal >= 100x at an equal best)")
        }

        var one = [Double](), two = [Double](), busyCores = [Double]()
        for i in 0..<(n + 2) {
            one.append(try runSearch(fixedListSpec, name: "one-\(i)", workers: 1, root: root).seconds)
            let cpu0 = cpuSeconds()
            let t = try runSearch(fixedListSpec, name: "two-\(i)", workers: 2, root: root).seconds
            two.append(t)
            busyCores.append((cpuSeconds() - cpu0) / t)
        }
        print("fixed list of 64 equal trials: 1 worker \(fmt(median(one), 3)) s, 2 workers \(fmt(median(two), 3)) s, speedup \(fmt(median(one) / median(two), 2))x; with 2 workers \(fmt(median(busyCores), 2)) cores busy (CPU time / wall time)")

        try benchLockstep(root: root, repeats: n, print: print)
        try benchJournal(root: root, print: print)
        try benchProcesses(root: root, repeats: max(5, n), print: print)
        try benchHugeGrid(root: root, print: print)
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    /// The seed's kind of search with its trials in lockstep groups and with every trial alone, runs
    /// alternating; and whether the two wrote the same results.
    static func benchLockstep(root: String, repeats: Int, print: (String) -> Void) throws {
        var together = [Double](), alone = [Double]()
        var same = true
        for i in 0..<(repeats + 2) {
            let (a, t) = try runSearch(seedLikeSpec, name: "lockstep-\(i)", root: root)
            let (b, u) = try runSearch(seedLikeSpec, name: "alone-\(i)", root: root, lockstep: false)
            together.append(t)
            alone.append(u)
            func rows(_ f: SearchFolder) -> [String] {
                ((try? String(contentsOfFile: f.path + "/leaderboard.csv", encoding: .utf8)) ?? "").split(separator: "\n")
                    .map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
            }
            same = same && rows(a) == rows(b) && !rows(a).isEmpty
        }
        print("search of 64 trials of the seed's kind (2-2-3 batch 1 momentum, 50 epochs x 2000 rows), 2 workers: in lockstep \(fmt(median(together), 3)) s, every trial alone \(fmt(median(alone), 3)) s: \(fmt(median(alone) / median(together), 2))x (medians of \(repeats + 2), alternating); " + (same ? "the same results" : "RESULTS DIFFER"))
    }

    /// `searches/sum_bin.json` as it is, then with successive halving and with hyperband (eta 3,
    /// min_epochs 3): the best validation accuracy and the epochs trained (the rows of the curves).
    static func benchPruning(root: String, print: (String) -> Void) throws {
        let path = "searches/sum_bin.json"
        guard FileManager.default.fileExists(atPath: path) else {
            print("pruning: \(path) not found (run the bench from the repository's top folder)")
            return
        }
        let json = try parseJSON(String(contentsOfFile: path, encoding: .utf8), file: path)
        var full: (best: Double, epochs: Int)? = nil
        for kind in [nil, "halving", "hyperband"] as [String?] {
            var spec = json
            if let kind {
                spec = spec.setting("pruning", to: try parseJSON(#"{"kind": "\#(kind)", "eta": 3, "min_epochs": 3}"#, file: "-"))
            }
            let (folder, seconds) = try runSearch(spec.prettyText(), name: "pruning-\(kind ?? "none")", root: root)
            let snapshot = try SearchSnapshot(folder)
            guard snapshot.state.isComplete, let best = snapshot.best else {
                throw NNSearchError(.software, "bench: \(folder.path) did not finish")
            }
            var epochs = 0
            let curves = folder.file("curves")
            for name in try FileManager.default.contentsOfDirectory(atPath: curves) where name.hasSuffix(".csv") {
                let text = try String(contentsOfFile: curves + "/" + name, encoding: .utf8)
                epochs += text.split(separator: "\n").count - 1
            }
            var line = "pruning, searches/sum_bin.json (\(snapshot.state.trialCount) trials), "
                + (kind.map { "\($0) eta 3 min_epochs 3" } ?? "no pruning")
                + ": best val_accuracy \(formatNumber(best.value)) (trial \(best.trial)), \(epochs) epochs trained, \(fmt(seconds, 2)) s"
            if let full {
                line += "; \(fmt(Double(epochs) / Double(full.epochs) * 100, 1)) % of the epochs, best "
                    + (best.value == full.best ? "the same" : "\(formatNumber(best.value - full.best)) from the full search's")
            } else {
                full = (best.value, epochs)
            }
            print(line)
        }
    }

    /// The journal's own cost per trial — a claim and a finish, each under the lock, with the views
    /// kept up to date — measured without training, up to 10,100 trials; then a resume's latency.
    static func benchJournal(root: String, print: (String) -> Void) throws {
        let folder = try makeSearch(manyTrialsSpec, name: "journal", root: root)
        let spec = try SearchSpec.load(folder: folder)
        let data = try SearchData(spec: spec)
        let columns = ResultColumns(space: spec.space.map(\.name), task: data.task, metric: try spec.resolvedMetric(for: data.task), chance: data.chance)
        let plan = TrialPlan(spec: spec)
        let coordinator = try SearchCoordinator(folder: folder, columns: columns, plan: plan, maxSeconds: nil, threads: 1, warn: { _ in })
        try coordinator.join()
        var perTrial = [Double]()
        for _ in 0..<plan.count {
            let t0 = DispatchTime.now().uptimeNanoseconds
            guard case .train(let number, _) = try coordinator.next() else { break }
            let trial = plan.trial(number)
            let record = EpochRecord(epoch: 1, lr: 0.01, trainLoss: 1, valLoss: 1, trainMetric: 1, valMetric: Double(number % 97) / 97)
            let result = TrialResult(trial: trial, status: .completed, records: [record], seconds: 0.001)
            _ = try coordinator.record([(number, columns.metricValue(result), String(csvLine(columns.fields(result)).dropLast()))])
            perTrial.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            if perTrial.count == 10_000 { break }
        }
        try coordinator.leave(reason: "done", progressState: "stopped")
        let first = median(Array(perTrial.prefix(100))), late = median(Array(perTrial.suffix(100)))
        let mean = perTrial.reduce(0, +) / Double(perTrial.count)
        var info = stat()
        stat(folder.journal, &info)
        print("journal cost per trial (claim + finish under the lock, trials.csv appended, leaderboard/progress rewritten when due): median \(fmt(first * 1e3, 3)) ms over trials 1-100, \(fmt(late * 1e3, 3)) ms over trials 9,901-10,000, mean \(fmt(mean * 1e3, 3)) ms; journal \(info.st_size / 1024) KiB for \(perTrial.count) trials")

        // Resume: a new process replays 10,000 finished trials, joins and claims its first trial.
        let t0 = DispatchTime.now().uptimeNanoseconds
        let again = try SearchCoordinator(folder: folder, columns: columns, plan: plan, maxSeconds: nil, threads: 1, warn: { _ in })
        try again.refresh()
        try again.join()
        _ = try again.next()
        let resume = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        try again.leave(reason: "done", progressState: "stopped")
        print("resume of a search with 10,000 finished trials: first new trial claimed after \(fmt(resume * 1e3, 1)) ms (replay the journal, rebuild the views, join, claim)")
    }

    /// 200 short trials: 2 worker processes × 1 thread against 1 process × 2 threads (the built binary).
    static func benchProcesses(root: String, repeats: Int, print: (String) -> Void) throws {
        func run(_ folder: SearchFolder, processes: Int, threads: Int) throws -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var pids = [Int32]()
            for _ in 0..<processes {
                pids.append(try Daemon.spawnDetached(executable: Daemon.executablePath,
                                                     arguments: ["worker", folder.path, "--workers", String(threads)], logPath: folder.log))
            }
            while pids.contains(where: Daemon.isAlive) { usleep(2_000) }
            let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            guard try SearchSnapshot(folder).state.isComplete else {
                throw NNSearchError(.software, "bench: \(folder.path) did not finish; see \(folder.log)")
            }
            return t
        }
        for (label, spec) in [("200 short trials (~10 ms each)", shortTrialsSpec), ("200 tiny trials (< 1 ms each)", tinyTrialsSpec)] {
            var twoProcesses = [Double](), oneProcess = [Double]()
            for i in 0..<repeats {
                twoProcesses.append(try run(makeSearch(spec, name: "procs-\(i)", root: root), processes: 2, threads: 1))
                oneProcess.append(try run(makeSearch(spec, name: "threads-\(i)", root: root), processes: 1, threads: 2))
            }
            let ratio = median(twoProcesses) / median(oneProcess)
            print("\(label): 2 processes × 1 thread \(fmt(median(twoProcesses), 3)) s, 1 process × 2 threads \(fmt(median(oneProcess), 3)) s (medians of \(repeats), runs alternating); 2 processes take \(fmt(ratio, 3))× the time (goal: within 10 %)")
        }
    }

    /// A 100,000-trial grid of one-epoch trials in a worker process: its memory over time, the
    /// size of `status`, and how long `stop` takes.
    static func benchHugeGrid(root: String, print: (String) -> Void) throws {
        let folder = try makeSearch(hugeGridSpec, name: "huge", root: root)
        let pid = try Daemon.spawnDetached(executable: Daemon.executablePath, arguments: ["worker", folder.path, "--workers", "2"],
                                           logPath: folder.log)
        defer { if Daemon.isAlive(pid) { kill(pid, SIGKILL) } }
        var samples = [(Double, Int, Int)]()   // seconds, RSS MiB, trials done
        let t0 = Date()
        for _ in 0..<4 {
            sleep(5)
            let done = (try? SearchSnapshot(folder).state.doneCount) ?? -1
            samples.append((Date().timeIntervalSince(t0), residentMiB(pid), done))
        }
        let statusLines = try captureStatusLines(folder)
        let s0 = Date()
        try SearchCoordinator.append(.stop(by: "bench", time: Date().timeIntervalSince1970), to: folder)
        while Daemon.isAlive(pid) && Date().timeIntervalSince(s0) < 120 { usleep(5_000) }
        let stopSeconds = Date().timeIntervalSince(s0)
        var progressSize = stat()
        stat(folder.progress, &progressSize)
        let memory = samples.map { "\(Int($0.0)) s: \($0.2) trials, \($0.1) MiB" }.joined(separator: "; ")
        print("100,000-trial grid of one-epoch trials, 1 worker process × 2 threads: \(memory); status \(statusLines) lines; progress.json \(progressSize.st_size) bytes; stop took \(fmt(stopSeconds, 2)) s")
    }

    /// The resident memory of a process, MiB (from /proc).
    static func residentMiB(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    /// How many lines `nnsearch status` prints for a folder.
    static func captureStatusLines(_ folder: SearchFolder) throws -> Int {
        let log = folder.file("status.txt")
        let pid = try Daemon.spawnDetached(executable: Daemon.executablePath, arguments: ["status", folder.path], logPath: log)
        while Daemon.isAlive(pid) { usleep(5_000) }
        return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Runs example searches (from ./searches when present) and prints checkpoint time as a share of trial time.
    static func benchCheckpoints(print: (String) -> Void) throws {
        let root = NSTemporaryDirectory() + "nnsearch-bench-ckpt-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // sum_bin's 100 trials are capped to 24 to keep the benchmark short.
        for (name, cap) in [("quickstart", nil), ("heart_rate", nil), ("sum_bin", 24), ("moons_csv", nil), ("friedman_csv", nil)] as [(String, Int?)] {
            let path = "searches/\(name).json"
            guard FileManager.default.fileExists(atPath: path) else {
                print("checkpoint overhead: \(path) not found (run the bench from the repository's top folder)")
                return
            }
            var json = try parseJSON(String(contentsOfFile: path, encoding: .utf8), file: path)
            if let cap { json = json.setting("trials", to: .number(Double(cap), text: String(cap))) }
            if case .csv(let csv, _, _) = try SearchSpec.parse(json, file: path, baseDirectory: "searches").data, let data = json["data"] {
                json = json.setting("data", to: data.setting("csv", to: .string(csv)))
            }
            let totals = Locked((checkpoint: 0.0, trials: 0.0))
            let (_, seconds) = try runSearch(json.prettyText(), name: name, root: root) { trial, checkpoint in
                totals.withLock { $0.checkpoint += checkpoint; $0.trials += trial }
            }
            let (ckpt, trials) = totals.current
            print("checkpoint overhead, searches/\(name).json\(cap.map { " (first \($0) trials)" } ?? ""): \(fmt(ckpt / trials * 100, 2)) % of trial time (\(fmt(ckpt * 1e3, 1)) ms of \(fmt(trials, 2)) s; search \(fmt(seconds, 2)) s)")
        }
    }

    /// User + system CPU seconds this process has used.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
