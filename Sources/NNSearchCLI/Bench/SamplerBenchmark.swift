import Foundation
import NNSearch
import NNSearchKernel

extension Benchmark {
    /// A problem of the sampler benchmark: its data and how trials are scored.
    struct SamplerProblem {
        var name: String
        /// The spec's `data` object (and `task`/`metric` members when needed).
        var data: String
        /// The anchor's name for it (`Tests/anchors/optuna_samplers.py PROBLEM`).
        var anchor: String
        var metric: String
    }

    /// The four problems of `bench --samplers`.
    static func samplerProblems(root: String) -> [SamplerProblem] {
        [
            SamplerProblem(name: "sum_bin", data: #""data": {"generator": "sum_bin", "rows": 2000, "seed": 0}"#,
                           anchor: "bin", metric: "val_accuracy"),
            SamplerProblem(name: "heart_rate", data: #""data": {"generator": "heart_rate", "rows": 2000, "seed": 0}"#,
                           anchor: "hr", metric: "val_accuracy"),
            SamplerProblem(name: "moons_csv", data: #""data": {"csv": "\#(root)/searches/moons.csv", "target": "shape"}"#,
                           anchor: "moons", metric: "val_accuracy"),
            SamplerProblem(name: "friedman_csv",
                           data: #""data": {"csv": "\#(root)/searches/friedman1.csv", "target": "target"}, "task": "regression""#,
                           anchor: "friedman", metric: "val_r2"),
        ]
    }

    /// The optuna anchor's space (`optuna_search.py`): StepLR every epochs/3 with gamma 1, 0.5 or 0.1;
    /// PyTorch's initialization (`"init": "uniform"`), as the anchor's networks are PyTorch's own.
    static func samplerSpec(_ problem: SamplerProblem, strategy: String, trials: Int, seed: Int, epochs: Int) -> String {
        let step = max(1, epochs / 3)
        return #"""
            {"version": 1, \#(problem.data), "metric": "\#(problem.metric)", "strategy": "\#(strategy)", "trials": \#(trials),
             "seed": \#(seed), "workers": 2,
             "space": {"depth": [1, 2, 3, 4], "width": [8, 32, 64, 128], "lr": {"log_uniform": [0.0001, 0.1]},
                       "optimizer": ["sgd", "momentum", "adam"], "batch_size": [16, 64],
                       "schedule": ["constant", {"step": \#(step), "gamma": 0.5}, {"step": \#(step), "gamma": 0.1}],
                       "epochs": \#(epochs), "normalize": "standardize", "init": "uniform"}}
            """#
    }

    /// Each finished trial's metric, by trial number (NaN when it diverged).
    static func metrics(_ folder: SearchFolder) throws -> [Double] {
        let state = try SearchSnapshot(folder).state
        return (0..<state.trialCount).map { state.finished[$0]?.metric ?? .nan }
    }

    /// `nnsearch bench --samplers`: TPE against random search and against Optuna's TPE.
    ///
    /// Per problem and search seed (`seeds`, 0..<5 by default): random search's best in 100 trials, the trials TPE (same
    /// space, default startup 10 and lag 8, 2 workers) needs to reach it, and TPE's best within
    /// `budget` trials next to Optuna's TPE sampler (constant liar, 2 jobs) on the same space, when
    /// the anchors' Python (`ANCHORS_PY`) is there. Then the cost of one suggestion with 1,000
    /// finished trials.
    static func runSamplers(seeds: Range<Int>, budget: Int, epochs: Int, print: (String) -> Void) throws {
        let root = FileManager.default.currentDirectoryPath
        guard FileManager.default.fileExists(atPath: root + "/searches/moons.csv") else {
            throw NNSearchError(.noInput, "bench --samplers reads searches/moons.csv and searches/friedman1.csv: run it from the repository's top folder")
        }
        let work = NSTemporaryDirectory() + "nnsearch-bench-samplers-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // The Optuna anchor of this comparison is the repository's own (`Tests/anchors/`), run with ANCHORS_PY.
        let optuna = ProcessInfo.processInfo.environment["ANCHORS_PY"].map { Anchors(python: $0, folder: root + "/Tests/anchors") }
        print("samplers: search seeds \(seeds.lowerBound)–\(seeds.upperBound - 1), \(epochs) epochs a trial, 2 workers; random 100 trials, TPE startup 10 lag 8")
        if optuna == nil {
            print("samplers: ANCHORS_PY is not set: Optuna's column is skipped (eval \"$(../shared/anchors/setup.sh)\" sets it)")
        }
        print("problem       | metric       | random best in 100 (median) | TPE trials to reach it (median; per seed) | best in \(budget): TPE / Optuna TPE (medians) | TPE wins")
        for problem in samplerProblems(root: root) {
            var randomBest = [Double](), reach = [Int](), tpeBudget = [Double](), optunaBudget = [Double]()
            var wins = 0
            for seed in seeds {
                let random = try runSearch(samplerSpec(problem, strategy: "random", trials: 100, seed: seed, epochs: epochs),
                                           name: "\(problem.name)-random-\(seed)", root: work).folder
                let tpe = try runSearch(samplerSpec(problem, strategy: "tpe", trials: 100, seed: seed, epochs: epochs),
                                        name: "\(problem.name)-tpe-\(seed)", root: work).folder
                let target = try metrics(random).filter { !$0.isNaN }.max() ?? -.infinity
                let tpeMetrics = try metrics(tpe)
                randomBest.append(target)
                // Trials counted by number: the first whose metric reaches random's best (101 when none does).
                reach.append((tpeMetrics.firstIndex { $0 >= target }).map { $0 + 1 } ?? 101)
                let mine = tpeMetrics.prefix(budget).filter { !$0.isNaN }.max() ?? -.infinity
                tpeBudget.append(mine)
                if let optuna, let theirs = optunaBest(optuna, problem: problem.anchor, trials: budget, seed: seed,
                                                       epochs: epochs, print: print) {
                    optunaBudget.append(theirs)
                    if mine >= theirs { wins += 1 }
                }
            }
            let reached = reach.map { $0 > 100 ? ">100" : String($0) }.joined(separator: " ")
            let optuna = optunaBudget.isEmpty ? "-" : fmt(median(optunaBudget), 4)
            print("\(problem.name.padding(toLength: 13, withPad: " ", startingAt: 0)) | \(problem.metric.padding(toLength: 12, withPad: " ", startingAt: 0)) | "
                  + "\(fmt(median(randomBest), 4)) | \(medianInt(reach) > 100 ? ">100" : String(medianInt(reach))) (\(reached)) | "
                  + "\(fmt(median(tpeBudget), 4)) / \(optuna) | \(optunaBudget.isEmpty ? "-" : "\(wins)/\(optunaBudget.count)")")
        }
        benchSuggestion(print: print)
    }

    static func medianInt(_ xs: [Int]) -> Int { xs.sorted()[xs.count / 2] }

    /// Runs the Optuna anchor once and reads its `best_val=`; nil (with a line saying why) when it fails.
    static func optunaBest(_ anchors: Anchors, problem: String, trials: Int, seed: Int, epochs: Int,
                           print: (String) -> Void) -> Double? {
        guard let fields = anchors.run("optuna_samplers.py", [problem, String(trials), "2", String(epochs), String(seed)],
                                       environment: ["SAMPLER": "tpe"], print: print) else { return nil }
        guard let best = fields["best_val"].flatMap(Double.init) else {
            print("samplers: the Optuna anchor printed no best_val for \(problem) seed \(seed)")
            return nil
        }
        return best
    }

    /// The cost of one TPE suggestion with 1,000 finished trials (the anchor's space, 6 dimensions).
    static func benchSuggestion(print: (String) -> Void) {
        let problem = SamplerProblem(name: "sum_bin", data: #""data": {"generator": "sum_bin"}"#, anchor: "bin", metric: "val_accuracy")
        guard let json = try? parseJSON(samplerSpec(problem, strategy: "tpe", trials: 1100, seed: 0, epochs: 20), file: "bench"),
              let spec = try? SearchSpec.parse(json, file: "bench", baseDirectory: ".") else { return }
        let plan = TrialPlan(spec: spec)
        var scores = [Double]()
        func score(_ t: Trial) -> Double { -abs(log10(t.hyperparameters.lr) + 2) - Double(t.hyperparameters.depth) * 0.1 }
        var times = [Double]()
        for n in 0..<1020 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            guard let trial = plan.trial(n, scores: { $0 < scores.count ? scores[$0] : nil }) else { return }
            if n >= 1008 { times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
            scores.append(score(trial))
        }
        print("samplers: one TPE suggestion with 1,000 finished trials (6 dimensions): \(fmt(median(times) * 1e3, 2)) ms (median of \(times.count))")
    }
}
