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
    /// A TPE spec (`strategy` "tpe") names `lag`.
    static func samplerSpec(_ problem: SamplerProblem, strategy: String, trials: Int, seed: Int, epochs: Int, lag: Int = samplerWorkers) -> String {
        let step = max(1, epochs / 3)
        let tpe = strategy == "tpe" ? #" "lag": \#(lag),"# : ""
        return #"""
            {"version": 1, \#(problem.data), "metric": "\#(problem.metric)", "strategy": "\#(strategy)", "trials": \#(trials),
             "seed": \#(seed), "workers": \#(samplerWorkers),\#(tpe)
             "space": {"depth": [1, 2, 3, 4], "width": [8, 32, 64, 128], "lr": {"log_uniform": [0.0001, 0.1]},
                       "optimizer": ["sgd", "momentum", "adam"], "batch_size": [16, 64],
                       "schedule": ["constant", {"step": \#(step), "gamma": 0.5}, {"step": \#(step), "gamma": 0.1}],
                       "epochs": \#(epochs), "normalize": "standardize", "init": "uniform"}}
            """#
    }

    /// The workers of every search the benchmark runs, and Optuna's jobs.
    static let samplerWorkers = 2

    /// Each finished trial's metric, by trial number (NaN when it diverged).
    static func metrics(_ folder: SearchFolder) throws -> [Double] {
        let state = try SearchSnapshot(folder).state
        return (0..<state.trialCount).map { state.finished[$0]?.metric ?? .nan }
    }

    /// `nnsearch bench --samplers`: TPE against random search and against Optuna's TPE.
    ///
    /// Per problem and search seed (`seeds`, 0..<5 by default): random search's best in 100 trials, the trials TPE (same
    /// space, startup 10, multivariate, `lag` — by default its 2 workers —, 2 workers) needs to reach it, and TPE's best within
    /// `budget` trials. With the anchors' Python (`ANCHORS_PY`), two Optuna anchors on the same space,
    /// both `TPESampler(constant_liar=True)` with 2 jobs: Optuna's sampler training with nnsearch's own
    /// trainer (`optuna_nnsearch.py`, 100 trials: its best within `budget` and the trials it needs to
    /// reach random's best), which isolates the sampler, and Optuna + PyTorch (`optuna_samplers.py`,
    /// `budget` trials). Then the cost of one suggestion with 1,000 finished trials.
    static func runSamplers(seeds: Range<Int>, budget: Int, epochs: Int, lag: Int, print: (String) -> Void) throws {
        let root = FileManager.default.currentDirectoryPath
        guard FileManager.default.fileExists(atPath: root + "/searches/moons.csv") else {
            throw NNSearchError(.noInput, "bench --samplers reads searches/moons.csv and searches/friedman1.csv: run it from the repository's top folder")
        }
        let work = NSTemporaryDirectory() + "nnsearch-bench-samplers-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // The Optuna anchors of this comparison are the repository's own (`Tests/anchors/`), run with ANCHORS_PY.
        let optuna = ProcessInfo.processInfo.environment["ANCHORS_PY"].map { Anchors(python: $0, folder: root + "/Tests/anchors") }
        let binary = executablePath
        print("samplers: search seeds \(seeds.lowerBound)–\(seeds.upperBound - 1), \(epochs) epochs a trial, \(samplerWorkers) workers; random \(randomTrials) trials, TPE startup 10 lag \(lag)"
              + (lag == samplerWorkers ? " (the workers, as Optuna's \(samplerWorkers) jobs see all but the running trials)" : "")
              + ", multivariate")
        if optuna == nil {
            print("samplers: ANCHORS_PY is not set: Optuna's columns are skipped (eval \"$(../shared/anchors/setup.sh)\" sets it)")
        } else {
            print("samplers: Optuna TPESampler(constant_liar=True), 2 jobs, on the same space: +nn trains its trials with this nnsearch"
                  + " (\(binary) train, the TPE search's spec, trial k with the search's trial-k seed; Tests/anchors/optuna_nnsearch.py,"
                  + " \(randomTrials) trials), +torch with PyTorch (Tests/anchors/optuna_samplers.py, \(budget) trials)")
        }
        print("problem       | metric       | random best in \(randomTrials) (median) | trials to reach it, median (per seed): TPE; Optuna+nn"
              + " | best in \(budget) (medians): TPE / Optuna+nn / Optuna+torch | TPE ≥ Optuna+nn; TPE ≥ Optuna+torch (seeds)")
        for problem in samplerProblems(root: root) {
            var randomBest = [Double](), reach = [Int](), tpeBudget = [Double]()
            var sampler = AnchorColumn(), torch = AnchorColumn()
            for seed in seeds {
                let tpeSpec = samplerSpec(problem, strategy: "tpe", trials: randomTrials, seed: seed, epochs: epochs, lag: lag)
                let random = try runSearch(samplerSpec(problem, strategy: "random", trials: randomTrials, seed: seed, epochs: epochs),
                                           name: "\(problem.name)-random-\(seed)", root: work).folder
                let tpe = try runSearch(tpeSpec, name: "\(problem.name)-tpe-\(seed)", root: work).folder
                let target = try metrics(random).filter { !$0.isNaN }.max() ?? -.infinity
                let tpeMetrics = try metrics(tpe)
                randomBest.append(target)
                reach.append(trialsToReach(tpeMetrics, target: target))
                let mine = best(tpeMetrics, within: budget)
                tpeBudget.append(mine)
                guard let optuna else { continue }
                // Optuna's sampler with this binary's trainer, on the TPE search's own spec.
                let specPath = work + "/\(problem.name)-optuna-nnsearch-\(seed).json"
                try writeAtomically(Data(tpeSpec.utf8), to: specPath)
                if let values = optunaNNSearch(optuna, problem: problem.anchor, spec: specPath, binary: binary,
                                               seed: seed, epochs: epochs, print: print) {
                    sampler.add(best(values, within: budget), mine: mine, reach: trialsToReach(values, target: target))
                }
                if let theirs = optunaBest(optuna, problem: problem.anchor, trials: budget, seed: seed, epochs: epochs, print: print) {
                    torch.add(theirs, mine: mine)
                }
            }
            let reachText = reachSummary(reach, budget: budget)
            let samplerReach = sampler.reach.isEmpty ? "-" : reachSummary(sampler.reach, budget: budget)
            print("\(problem.name.padding(toLength: 13, withPad: " ", startingAt: 0)) | \(problem.metric.padding(toLength: 12, withPad: " ", startingAt: 0)) | "
                  + "\(fmt(median(randomBest), 4)) | \(reachText); \(samplerReach) | "
                  + "\(fmt(median(tpeBudget), 4)) / \(sampler.medianText) / \(torch.medianText) | \(sampler.winsText); \(torch.winsText)")
        }
        benchSuggestion(print: print)
    }

    /// Random search's trials per seed, and the trials counted when a sampler's trials to reach its best are.
    static let randomTrials = 100

    /// One Optuna anchor's figures over the seeds: its best within the budget, the seeds where
    /// nnsearch's TPE is at least as good, and (when it ran 100 trials) the trials it needed to reach random's best.
    struct AnchorColumn {
        var bests = [Double](), wins = 0, reach = [Int]()

        mutating func add(_ best: Double, mine: Double, reach trials: Int? = nil) {
            bests.append(best)
            if mine >= best { wins += 1 }
            if let trials { reach.append(trials) }
        }

        var medianText: String { bests.isEmpty ? "-" : Benchmark.fmt(Benchmark.median(bests), 4) }
        var winsText: String { bests.isEmpty ? "-" : "\(wins)/\(bests.count)" }
    }

    /// The trials, counted by trial number, until the first metric at least `target`: the first such
    /// trial's number + 1, or `randomTrials` + 1 when none of the first `randomTrials` reaches it (NaN, diverged, never does).
    static func trialsToReach(_ metrics: [Double], target: Double) -> Int {
        (metrics.prefix(randomTrials).firstIndex { $0 >= target }).map { $0 + 1 } ?? randomTrials + 1
    }

    /// The best metric among trials 0 ..< `budget` (diverged trials, NaN, left out); −∞ when none finished.
    static func best(_ metrics: [Double], within budget: Int) -> Double {
        metrics.prefix(budget).filter { !$0.isNaN }.max() ?? -.infinity
    }

    /// Trials to reach random's best: the median, then each seed's (up to 20 seeds) or how many
    /// seeds reached it within `budget`.
    static func reachSummary(_ reach: [Int], budget: Int) -> String {
        let detail = reach.count <= 20 ? reach.map(reachedText).joined(separator: " ")
            : "\(reach.filter { $0 <= budget }.count) of \(reach.count) within \(budget)"
        return "\(reachedText(medianInt(reach))) (\(detail))"
    }

    /// `trialsToReach`'s count as printed: ">100" when no trial reached it.
    static func reachedText(_ trials: Int) -> String { trials > randomTrials ? ">\(randomTrials)" : String(trials) }

    static func medianInt(_ xs: [Int]) -> Int { xs.sorted()[xs.count / 2] }

    /// This process's executable, absolute, for the anchor that trains with it.
    static var executablePath: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        if let path = Bundle.main.executablePath { return path }
        let argument = CommandLine.arguments[0]
        return argument.hasPrefix("/") ? argument : FileManager.default.currentDirectoryPath + "/" + argument
    }

    /// Runs Optuna's TPE sampler with this binary's trainer (`optuna_nnsearch.py`, `randomTrials` trials, 2 jobs) on
    /// the search spec at `spec`, and returns each trial's metric by trial number (NaN for a diverged one);
    /// nil (with a line saying why) when it fails.
    static func optunaNNSearch(_ anchors: Anchors, problem: String, spec: String, binary: String, seed: Int, epochs: Int,
                               print: (String) -> Void) -> [Double]? {
        guard let fields = anchors.run("optuna_nnsearch.py", [problem, String(randomTrials), String(samplerWorkers), String(epochs), String(seed), spec],
                                       environment: ["NNSEARCH_BIN": binary], print: print) else { return nil }
        guard let values = fields["values"].flatMap(Anchors.values), values.count == randomTrials else {
            print("samplers: the Optuna + nnsearch anchor printed no values= of \(randomTrials) trials for \(problem) seed \(seed)")
            return nil
        }
        return values
    }

    /// Runs the Optuna + PyTorch anchor once and reads its `best_val=`; nil (with a line saying why) when it fails.
    static func optunaBest(_ anchors: Anchors, problem: String, trials: Int, seed: Int, epochs: Int,
                           print: (String) -> Void) -> Double? {
        guard let fields = anchors.run("optuna_samplers.py", [problem, String(trials), String(samplerWorkers), String(epochs), String(seed)],
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
