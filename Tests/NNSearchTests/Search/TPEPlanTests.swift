import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The TPE strategy's plan and policy: trial n depends on the spec, n and the scores of trials
/// below n − lag only, and is handed out only once those are in.
final class TPEPlanTests: XCTestCase {
    private static func spec(_ strategy: String, startup: Int = 4, lag: Int = 2, trials: Int = 30) throws -> SearchSpec {
        let extra = strategy == "tpe" ? #", "startup": \#(startup), "lag": \#(lag)"# : ""
        let text = #"""
            {"version": 1, "data": {"generator": "sum_bin"}, "strategy": "\#(strategy)", "trials": \#(trials), "seed": 7\#(extra),
             "space": {"depth": {"int_uniform": [1, 4]}, "width": [8, 32, 128], "lr": {"log_uniform": [0.0001, 0.1]},
                       "dropout": {"uniform": [0, 0.5]}, "optimizer": ["sgd", "adam"], "epochs": 5}}
            """#
        return try SearchSpec.parse(try parseJSON(text, file: "s.json"), file: "s.json", baseDirectory: "/tmp")
    }

    /// A made-up score per trial: better for higher lr and width 128.
    private static func score(_ trial: Trial) -> Double {
        log10(trial.hyperparameters.lr) + (trial.hyperparameters.width == 128 ? 1 : 0)
    }

    /// Trials made one after another, each finished before the next is asked for.
    private static func run(_ plan: TrialPlan, count: Int) -> [Trial] {
        var trials = [Trial]()
        for n in 0..<count {
            let trial = plan.trial(n) { $0 < trials.count ? score(trials[$0]) : nil }!
            trials.append(trial)
        }
        return trials
    }

    func testStartupTrialsAreRandomSearchsDraws() throws {
        let tpe = TrialPlan(spec: try Self.spec("tpe"))
        let random = TrialPlan(spec: try Self.spec("random"))
        let trials = Self.run(tpe, count: 4)
        for n in 0..<4 {
            XCTAssertEqual(trials[n], random.trial(n), "trial \(n)")
        }
    }

    func testATrialWaitsForTheScoresBelowNMinusLagAndIgnoresTheRest() throws {
        let spec = try Self.spec("tpe", startup: 4, lag: 2)
        let reference = Self.run(TrialPlan(spec: spec), count: 12)
        // Trial 9 learns from trials 0...6: missing score 6 makes it wait.
        let plan = TrialPlan(spec: spec)
        let known = { (j: Int) -> Double? in j < 6 ? Self.score(reference[j]) : nil }
        XCTAssertNil(plan.trial(9, scores: known))
        XCTAssertNotNil(TrialPlan(spec: spec).trial(3, scores: { _ in nil }), "startup trials need nothing")
        // With 0...6 in, and trials 7 and 8 scored anything at all (or not yet), trial 9 is the same.
        for later in [nil, -100.0, 100.0] {
            let fresh = TrialPlan(spec: spec)
            let scores = { (j: Int) -> Double? in j <= 6 ? Self.score(reference[j]) : later }
            XCTAssertEqual(fresh.trial(9, scores: scores), reference[9], "later scores \(String(describing: later))")
        }
    }

    func testSuggestionsAreInTheSpaceAndLearnFromTheScores() throws {
        let spec = try Self.spec("tpe", startup: 6, lag: 1, trials: 40)
        let trials = Self.run(TrialPlan(spec: spec), count: 40)
        for trial in trials {
            let h = trial.hyperparameters
            XCTAssertTrue((1...4).contains(h.depth) && [8, 32, 128].contains(h.width), "\(h)")
            XCTAssertTrue(h.lr >= 0.0001 && h.lr <= 0.1 && h.dropout >= 0 && h.dropout <= 0.5, "\(h)")
            XCTAssertEqual(h.epochs, 5)
        }
        // Random search's trials 20..<40 against TPE's, on the made-up score: TPE's are better.
        let random = TrialPlan(spec: try Self.spec("random", trials: 40))
        let tpeMean = trials[20...].map(Self.score).reduce(0, +) / 20
        let randomMean = (20..<40).map { Self.score(random.trial($0)) }.reduce(0, +) / 20
        XCTAssertGreaterThan(tpeMean, randomMean + 0.5, "TPE \(tpeMean) vs random \(randomMean)")
        // Same spec, a fresh plan: the same trials.
        XCTAssertEqual(Self.run(TrialPlan(spec: spec), count: 40), trials)
    }

    func testThePolicyWaitsForATrialThatCannotBeMadeYet() throws {
        let spec = try Self.spec("tpe", startup: 2, lag: 1)
        let policy = SearchPolicy(plan: TrialPlan(spec: spec), maxSeconds: nil, maximize: true)
        // Trials 0 and 1 claimed, 0 finished: trial 2 needs trial 0 (2 − 1 = 1 → trial 0): ready;
        // trial 3 needs trials 0 and 1: not yet.
        var state = Records.replay(trialCount: 30, [
            Records.join("p", at: 100, lease: 100), Records.claim(0, by: "p", at: 100), Records.claim(1, by: "p", at: 100),
            Records.finish(0, by: "p", at: 101, metric: 0.9, row: "0,x"),
        ])
        XCTAssertEqual(policy.decide(state, now: 102, asking: "p"), .train(trial: 2, upTo: 5))
        state.apply(Records.claim(2, by: "p", at: 102), at: 10_000)
        guard case .wait = policy.decide(state, now: 103, asking: "p") else { return XCTFail("trial 3 must wait for trial 1") }
        state.apply(Records.finish(1, by: "p", at: 104, metric: 0.5, row: "1,x"), at: 10_100)
        XCTAssertEqual(policy.decide(state, now: 105, asking: "p"), .train(trial: 3, upTo: 5))
    }

    /// A log range whose two ends have the same logarithm is one value to the sampler, not an empty interval.
    func testALogRangeOfOneRepresentableValueDoesNotTrap() throws {
        let text = #"""
            {"version": 1, "data": {"generator": "sum_bin"}, "strategy": "tpe", "trials": 30, "startup": 2, "lag": 0,
             "space": {"lr": {"log_uniform": [3, 3.0000000000000004]}, "width": [8, 16]}}
            """#
        let plan = TrialPlan(spec: try SearchSpec.parse(try parseJSON(text, file: "s.json"), file: "s.json", baseDirectory: "/tmp"))
        var scores = [Double]()
        for n in 0..<30 {
            let trial = try XCTUnwrap(plan.trial(n) { $0 < scores.count ? scores[$0] : nil })
            XCTAssertTrue(trial.hyperparameters.lr >= 3 && trial.hyperparameters.lr <= 3.0000000000000004)
            scores.append(Double(trial.hyperparameters.width))
        }
    }

    func testSpecRules() throws {
        let base = #"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"lr": {"log_uniform": [0.001, 0.1]}}"#
        func error(_ rest: String) -> String {
            do {
                _ = try SearchSpec.parse(try parseJSON(base + rest + "}", file: "s.json"), file: "s.json", baseDirectory: "/tmp")
                return "(accepted)"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(error(#", "strategy": "tpe""#).contains("trials: missing; TPE search needs a number of trials"))
        XCTAssertTrue(error(#", "strategy": "random", "trials": 5, "lag": 2"#).contains(#"lag: applies only to "strategy": "tpe""#))
        XCTAssertTrue(error(#", "strategy": "tpe", "trials": 5, "startup": -1"#).contains("startup: -1 is not allowed"))
        XCTAssertTrue(error(#", "strategy": "tpe", "trials": 5, "pruning": {"kind": "halving"}"#)
            .contains(#"pruning: cannot be combined with "strategy": "tpe""#))
        let spec = try SearchSpec.parse(try parseJSON(base + #", "strategy": "tpe", "trials": 5}"#, file: "s.json"),
                                        file: "s.json", baseDirectory: "/tmp")
        XCTAssertEqual(spec.tpe, TPESettings(startup: 10, lag: 8))
        XCTAssertEqual(spec.tpe?.multivariate, true, "multivariate by default")
        XCTAssertTrue(error(#", "strategy": "tpe", "trials": 5, "multivariate": 1"#)
            .contains("multivariate: expected true or false, found a number 1"))
        XCTAssertTrue(error(#", "strategy": "random", "trials": 5, "multivariate": false"#).contains(#"multivariate: applies only to "strategy": "tpe""#))
        XCTAssertTrue(error(#", "strategy": "tpe", "trials": 5, "multivarite": false"#).contains(#"multivarite: unknown key (did you mean "multivariate"?)"#))
        let independent = try SearchSpec.parse(try parseJSON(base + #", "strategy": "tpe", "trials": 5, "multivariate": false}"#,
                                                             file: "s.json"), file: "s.json", baseDirectory: "/tmp")
        XCTAssertEqual(independent.tpe?.multivariate, false)
    }

    /// A search folder's spec copy without "multivariate" was written before the key existed, when
    /// TPE modelled hyperparameters independently; copies written since name it.
    func testAFolderCopyWithoutTheKeyKeepsTheIndependentSampler() throws {
        let folder = SearchFolder(NSTemporaryDirectory() + "tpe-legacy-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let base = #"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"lr": {"log_uniform": [0.001, 0.1]}}, "strategy": "tpe", "trials": 5"#
        for (rest, expected) in [("}", false), (#", "multivariate": true}"#, true), (#", "multivariate": false}"#, false)] {
            try Data((base + rest).utf8).write(to: URL(fileURLWithPath: folder.spec))
            XCTAssertEqual(try SearchSpec.load(folder: folder).tpe?.multivariate, expected, rest)
            XCTAssertEqual(try SearchSpec.load(path: folder.spec).tpe?.multivariate, rest == "}" ? true : expected,
                           "a user's spec without the key gets the default")
        }
    }
}
