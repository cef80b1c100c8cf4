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

    /// 10,100 trivial trials, to time the scheduler's own work per trial once 10,000 have finished.
    static let manyTrialsSpec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 40, "seed": 0}, "strategy": "random", "trials": 10100,
         "seed": 0, "workers": 2,
         "space": {"depth": 0, "lr": {"log_uniform": [0.001, 0.1]}, "optimizer": ["sgd", "adam"], "epochs": 1, "batch_size": 32}}
        """#

    /// Creates a search folder for `json` under `root` and runs it in-process; returns the scheduler and seconds.
    static func runSearch(_ json: String, name: String, workers: Int? = nil, root: String) throws -> (scheduler: Scheduler, seconds: Double) {
        let specPath = root + "/" + name + ".json"
        try Data(json.utf8).write(to: URL(fileURLWithPath: specPath))
        let spec = try SearchSpec.load(path: specPath)
        let folder = SearchFolder(root + "/" + name)
        try? FileManager.default.removeItem(atPath: folder.path)
        try StartCommand.create(folder, spec: spec, specPath: specPath)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let scheduler = try SearchSession.prepare(folder: folder, workers: workers) { _ in .silent }
        _ = try scheduler.run()
        return (scheduler, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// Runs the three search benchmarks of the search issue and prints their figures.
    static func runSearch(repeats: Int, print: (String) -> Void) throws {
        let root = NSTemporaryDirectory() + "nnsearch-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let n = max(3, repeats / 3)
        try benchCheckpoints(print: print)

        var seconds = [Double]()
        var best = ""
        for i in 0..<n {
            let (s, t) = try runSearch(optunaLikeSpec, name: "optuna-like-\(i)", root: root)
            seconds.append(t)
            let p = Progress.read(s.folder.progress)
            best = p.flatMap { p in p.bestValue.map { "best val_accuracy \(formatNumber($0)) (trial \(p.bestTrial ?? -1))" } } ?? "-"
        }
        print("search: 40 random trials sum_bin 20 epochs, 2 workers (the optuna anchor's space): \(fmt(median(seconds), 3)) s, \(best)")

        var one = [Double](), two = [Double](), busyCores = [Double]()
        for i in 0..<(n + 2) {
            one.append(try runSearch(fixedListSpec, name: "one-\(i)", workers: 1, root: root).seconds)
            let cpu0 = cpuSeconds()
            let t = try runSearch(fixedListSpec, name: "two-\(i)", workers: 2, root: root).seconds
            two.append(t)
            busyCores.append((cpuSeconds() - cpu0) / t)
        }
        print("fixed list of 64 equal trials: 1 worker \(fmt(median(one), 3)) s, 2 workers \(fmt(median(two), 3)) s, speedup \(fmt(median(one) / median(two), 2))x; with 2 workers \(fmt(median(busyCores), 2)) cores busy (CPU time / wall time)")

        let (many, manySeconds) = try runSearch(manyTrialsSpec, name: "many", root: root)
        let busy = many.busyAfterTrial
        let perTrial = (busy[busy.count - 1] - busy[10_000 - 1]) / Double(busy.count - 10_000)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // A rewrite on its own: what each trial costs when trials finish one at a time.
        var board = Leaderboard(columns: many.columns)
        for fields in try TrialLog.readRows(path: many.folder.trials, header: many.columns.header) {
            board.insert(trial: Int(fields[0])!, metricValue: many.columns.metricValue(row: fields), fields: fields)
        }
        let rewrite = median(repeats: 11) { try? board.write(to: many.folder.leaderboard) }
        print("leaderboard.csv rewrite with \(board.count) rows (text + temp file + rename): \(fmt(rewrite * 1e3, 3)) ms")
        try benchResume(many, root: root, print: print)
        print("scheduler work per trial after 10,000 trials, trials finishing in a burst (rewrites shared): \(fmt(perTrial * 1e3, 3)) ms (writer busy time over trials 10,001-10,100); 10,100 trials in \(fmt(manySeconds, 2)) s; peak RSS \(usage.ru_maxrss / 1024) MiB")
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    /// Cuts a finished 10,100-trial search back to 10,000 rows and times a resume until its first trial starts.
    static func benchResume(_ finished: Scheduler, root: String, print: (String) -> Void) throws {
        let folder = finished.folder
        let text = try String(contentsOfFile: folder.trials, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(10_001).joined(separator: "\n") + "\n").write(toFile: folder.trials, atomically: true, encoding: .utf8)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let scheduler = try SearchSession.prepare(folder: folder, workers: 2) { _ in .silent }
        _ = try scheduler.run()
        let first = Double((scheduler.firstTrialTaken ?? t0) - t0) / 1e9
        print("resume of a search with 10,000 finished trials: first new trial starts after \(fmt(first * 1e3, 1)) ms (load spec and data, read trials.csv, rebuild and rewrite the leaderboard)")
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
            let (s, seconds) = try runSearch(json.prettyText(), name: name, root: root)
            let (ckpt, trials) = s.checkpointOverhead
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
