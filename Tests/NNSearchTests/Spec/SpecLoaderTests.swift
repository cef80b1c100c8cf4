import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

final class SpecLoaderTests: XCTestCase {
    static let contract = """
    { "version": 1, "name": "sum-bin", "data": {"generator": "sum_bin", "rows": 2000, "seed": 0}, "validation": 0.2,
      "task": "classification", "metric": "val_accuracy", "strategy": "random", "trials": 100, "seed": 1, "workers": 2, "max_seconds": 600,
      "space": { "depth": [1, 2, 4], "width": [16, 64, 256], "lr": {"log_uniform": [0.0001, 0.1]}, "optimizer": ["sgd", "momentum", "adam"],
        "schedule": ["constant", {"step": 10, "gamma": 0.5}], "batch_size": [16, 64], "epochs": 30, "activation": "relu",
        "normalize": ["none", "standardize"], "dropout": 0 } }
    """

    // MARK: - Valid specs

    func testParsesTheContractExample() throws {
        let spec = try parseSpec(SpecLoaderTests.contract)
        XCTAssertEqual(spec.version, 1)
        XCTAssertEqual(spec.name, "sum-bin")
        XCTAssertEqual(spec.data, .generator(name: "sum_bin", rows: 2000, seed: 0))
        XCTAssertEqual(spec.validation, .holdout(0.2))
        XCTAssertEqual(spec.task, .classification)
        XCTAssertEqual(spec.metric, .valAccuracy)
        XCTAssertEqual(spec.strategy, .random)
        XCTAssertEqual(spec.trials, 100)
        XCTAssertEqual(spec.seed, 1)
        XCTAssertEqual(spec.workers, 2)
        XCTAssertEqual(spec.maxSeconds, 600)
        XCTAssertEqual(spec.space.map(\.name), [
            "depth", "width", "lr", "optimizer", "schedule", "batch_size", "epochs", "activation", "normalize", "dropout",
        ])
        XCTAssertEqual(spec.space[0].entry, .choices([.integer(1), .integer(2), .integer(4)]))
        XCTAssertEqual(spec.space[2].entry, .logUniform(0.0001, 0.1))
        XCTAssertEqual(spec.space[4].entry, .choices([.schedule(.constant), .schedule(.step(every: 10, gamma: 0.5))]))
        guard case .choices(let schedules) = spec.space[4].entry else { return XCTFail("schedule is not a list") }
        XCTAssertEqual(schedules.count, 2, "a schedule object is one choice, not a range")
        XCTAssertEqual(spec.space[6].entry, .fixed(.integer(30)))
        XCTAssertEqual(spec.space[9].entry, .fixed(.real(0)))
        XCTAssertEqual(spec.source, try parseJSON(SpecLoaderTests.contract, file: "s.json"))
    }

    func testDefaults() throws {
        let spec = try parseSpec(#"{"version": 1, "data": {"generator": "heart_rate"}, "space": {"width": [8, 16], "depth": 1}}"#)
        XCTAssertEqual(spec.name, "s")
        XCTAssertEqual(spec.data, .generator(name: "heart_rate", rows: 2000, seed: 0))
        XCTAssertEqual(spec.validation, .holdout(0.2))
        XCTAssertNil(spec.task)
        XCTAssertNil(spec.metric)
        XCTAssertEqual(spec.metric(for: .classification), .valAccuracy)
        XCTAssertEqual(spec.metric(for: .regression), .valLoss)
        XCTAssertEqual(spec.strategy, .grid, "no range in the space")
        XCTAssertNil(spec.trials)
        XCTAssertEqual(spec.seed, 0)
        XCTAssertNil(spec.workers)
        XCTAssertNil(spec.maxSeconds)
        XCTAssertEqual(spec.space.map(\.name), ["width", "depth"], "space keeps the written order")
    }

    func testAnyRangeMakesRandomTheDefaultStrategy() throws {
        let spec = try parseSpec(#"{"version": 1, "data": {"generator": "sum_mod"}, "trials": 5, "space": {"depth": {"int_uniform": [1, 3]}}}"#)
        XCTAssertEqual(spec.strategy, .random)
        XCTAssertEqual(spec.space[0].entry, .intUniform(1, 3))
    }

    func testScheduleObjectIsAFixedValueNotARange() throws {
        let spec = try parseSpec(#"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"schedule": {"step": 10, "gamma": 0.5}}}"#)
        XCTAssertEqual(spec.strategy, .grid)
        XCTAssertEqual(spec.space[0].entry, .fixed(.schedule(.step(every: 10, gamma: 0.5))))
    }

    func testSeedsKeepAll64Bits() throws {
        let spec = try parseSpec(#"{"version": 1, "seed": 18446744073709551615, "data": {"generator": "sum_bin", "seed": 9007199254740993}}"#)
        XCTAssertEqual(spec.seed, UInt64.max)
        XCTAssertEqual(spec.data, .generator(name: "sum_bin", rows: 2000, seed: 9_007_199_254_740_993))
    }

    func testLoadReadsAFileResolvesTheCSVAndNamesTheSpecAfterIt() throws {
        let directory = try temporaryDirectory()
        try "x,y\n1,0\n".write(toFile: directory + "/data/train.csv", atomically: true, encoding: .utf8)
        let specPath = directory + "/searches/my-search.json"
        try #"{"version": 1, "data": {"csv": "../data/train.csv", "target": "y"}, "space": {"lr": [0.1]}}"#
            .write(toFile: specPath, atomically: true, encoding: .utf8)
        let spec = try SearchSpec.load(path: specPath)
        XCTAssertEqual(spec.name, "my-search")
        XCTAssertEqual(spec.data, .csv(path: directory + "/data/train.csv", written: "../data/train.csv", columns: CSVColumns(target: "y")))
    }

    func testColumnChoicesAndMissingTextsAndTheIgnoredRecord() throws {
        let directory = try temporaryDirectory()
        try "x,y\n1,0\n".write(toFile: directory + "/d.csv", atomically: true, encoding: .utf8)
        let specPath = directory + "/s.json"
        try #"""
            {"version": 1, "data": {"csv": "d.csv", "target": "y", "features": ["b", "a"], "ignore": ["id"], "missing": ["?", ""]},
             "preprocessing": {"summary": ["anything"]}}
            """#.write(toFile: specPath, atomically: true, encoding: .utf8)
        let spec = try SearchSpec.load(path: specPath)
        XCTAssertEqual(spec.data, .csv(path: directory + "/d.csv", written: "d.csv",
                                       columns: CSVColumns(target: "y", features: ["b", "a"], ignore: ["id"], missing: ["?", ""])))
        let csv = #""csv": "d.csv", "target": "y""#
        // Missing texts are compared with trimmed cells, so they are trimmed too (and a repeat after trimming dropped).
        let trimmed = try parseSpec(#"{"version": 1, "data": {\#(csv), "missing": [" ? ", "?", "\t-1"]}}"#, base: directory)
        XCTAssertEqual(trimmed.data, .csv(path: directory + "/d.csv", written: "d.csv", columns: CSVColumns(target: "y", missing: ["?", "-1"])))
        assertSpecError(#"{"version": 1, "data": {\#(csv), "features": "a"}}"#, base: directory,
                        #"s.json: data.features: expected a list of strings, e.g. ["a", "b"], found a string "a""#)
        assertSpecError(#"{"version": 1, "data": {\#(csv), "features": []}}"#, base: directory, #"s.json: data.features: must name at least one column"#)
        assertSpecError(#"{"version": 1, "data": {\#(csv), "ignore": ["a", "a"]}}"#, base: directory, #"s.json: data.ignore[1]: "a" is listed twice"#)
        assertSpecError(#"{"version": 1, "data": {\#(csv), "ignore": [""]}}"#, base: directory, #"s.json: data.ignore[0]: must not be empty"#)
        assertSpecError(#"{"version": 1, "data": {\#(csv), "missing": [1]}}"#, base: directory, #"s.json: data.missing[0]: expected a string, found a number 1"#)
        assertSpecError(#"{"version": 1, "data": {\#(csv), "ignroe": ["a"]}}"#, base: directory,
                        #"s.json: data.ignroe: unknown key (did you mean "ignore"?); known keys: csv, target, features, ignore, missing"#)
    }

    // MARK: - File and JSON errors

    func testMissingCSVIsADataErrorNamingTheResolvedPath() {
        assertSpecError(#"{"version": 1, "data": {"csv": "nope.csv", "target": "y"}}"#, base: "/tmp/nnsearch-no-such-dir",
                        #"s.json: data.csv: "nope.csv": no such file (/tmp/nnsearch-no-such-dir/nope.csv)"#, kind: .data)
    }

    func testLoadErrors() throws {
        let directory = try temporaryDirectory()
        XCTAssertThrowsError(try SearchSpec.load(path: directory + "/missing.json")) { error in
            XCTAssertEqual(error as? NNSearchError, NNSearchError(.noInput, directory + "/missing.json: no such spec file"))
        }
        let path = directory + "/bad.json"
        try "{\n  \"version\": 1,\n  \"trials\": 5,,\n}".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SearchSpec.load(path: path)) { error in
            XCTAssertEqual(error as? NNSearchError,
                           NNSearchError(.usage, path + ":3:15: expected a string key after ',', found ','"))
        }
    }

    func testTopLevelMustBeAnObject() {
        assertSpecError("[1]", "s.json: expected the spec to be an object {...}, found a list of one value")
    }

    // MARK: - Top-level keys

    func testVersionIsRequiredAndMustBe1() {
        assertSpecError(#"{"data": {"generator": "sum_bin"}}"#, #"s.json: version: missing; add "version": 1"#)
        assertSpecError(#"{"version": 2, "data": {"generator": "sum_bin"}}"#, "s.json: version: 2 is not supported; this nnsearch reads version 1")
        assertSpecError(#"{"version": "1", "data": {"generator": "sum_bin"}}"#, #"s.json: version: expected the number 1, found a string "1""#)
    }

    /// Every example spec in the repository's `searches/` loads (its CSV files found beside it).
    func testTheExampleSpecsLoad() throws {
        let searches = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../searches").standardized.path
        let specs = try FileManager.default.contentsOfDirectory(atPath: searches).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(specs.count, 10, "\(searches): \(specs)")
        for name in specs {
            XCTAssertNoThrow(try SearchSpec.load(path: searches + "/" + name), name)
        }
        let tpe = try SearchSpec.load(path: searches + "/friedman_tpe.json")
        XCTAssertEqual(tpe.tpe, TPESettings(startup: 10, lag: 2, multivariate: true))
    }

    func testUnknownKeysGetSuggestionsAndTheKnownKeys() {
        assertSpecError(#"{"version": 1, "trails": 5}"#, "s.json: trails: unknown key (did you mean \"trials\"?); known keys: "
            + "version, name, data, validation, task, metric, strategy, trials, seed, workers, max_seconds, max_memory, space, pruning, startup, lag, multivariate, keep_models")
        assertSpecError(#"{"version": 1, "lr": 0.1}"#, #"s.json: lr: unknown key (hyperparameters go inside "space")"#, prefix: true)
        assertSpecError(#"{"version": 1, "optimiser": "adam"}"#,
                        #"s.json: optimiser: unknown key (did you mean "optimizer"?); hyperparameters go inside "space"; known keys: version"#, prefix: true)
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin", "rwos": 10}}"#,
                        #"s.json: data.rwos: unknown key (did you mean "rows"?); known keys: generator, rows, seed"#)
        assertSpecError(minimal(space: #"{"optimiser": ["adam"]}"#),
                        "s.json: space.optimiser: unknown hyperparameter \"optimiser\" (did you mean \"optimizer\"?); known: "
                            + Hyperparameter.names.joined(separator: ", "))
        assertSpecError(minimal(space: #"{"lr": {"log_unifrom": [0.001, 0.1]}}"#),
                        #"s.json: space.lr.log_unifrom: unknown key (did you mean "log_uniform"?); known keys: uniform, log_uniform, int_uniform"#,
                        prefix: true)
    }

    func testWrongTypesSayExpectedAndFound() {
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin"}, "trials": "100"}"#,
                        #"s.json: trials: expected a positive integer, found a string "100""#)
        assertSpecError(#"{"version": 1, "data": "sum_bin"}"#,
                        #"s.json: data: expected an object, {"generator": "sum_bin"} or {"csv": "FILE.csv", "target": "COLUMN"}, found a string "sum_bin""#)
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin"}, "space": [1]}"#,
                        #"s.json: space: expected an object of hyperparameters, e.g. {"lr": [0.01, 0.1]}, found a list of one value"#)
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin"}, "name": null}"#, "s.json: name: expected a string, found null")
    }

    func testOutOfRangeTopLevelValues() {
        let head = #"{"version": 1, "data": {"generator": "sum_bin"}, "#
        assertSpecError(head + #""validation": 0.95}"#, "s.json: validation: 0.95 is not allowed; expected a number > 0 and <= 0.9")
        assertSpecError(head + #""validation": 0}"#, "s.json: validation: 0 is not allowed; expected a number > 0 and <= 0.9")
        assertSpecError(head + #""workers": 0}"#, "s.json: workers: 0 is not allowed; expected an integer from 1 to 256")
        assertSpecError(head + #""workers": 2.5}"#, "s.json: workers: 2.5 is not allowed; expected an integer from 1 to 256")
        assertSpecError(head + #""trials": 0}"#, "s.json: trials: 0 is not allowed; expected a positive integer")
        assertSpecError(head + #""seed": -1}"#, "s.json: seed: -1 is not allowed; expected a non-negative integer below 2^64")
        assertSpecError(head + #""max_seconds": 0}"#, "s.json: max_seconds: 0 is not allowed; expected a number of seconds > 0")
        assertSpecError(head + #""task": "clasification"}"#,
                        #"s.json: task: "clasification" is not allowed (did you mean "classification"?); expected one of "classification", "regression""#)
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bim"}}"#,
                        #"s.json: data.generator: "sum_bim" is not a generator (did you mean "sum_bin"?); expected one of "sum_bin", "sum_mod", "heart_rate""#)
    }

    func testMetricMustSuitTheTask() {
        let head = #"{"version": 1, "data": {"generator": "sum_bin"}, "#
        assertSpecError(head + #""task": "classification", "metric": "val_r2"}"#,
                        #"s.json: metric: "val_r2" does not apply to task "classification"; expected "val_accuracy" or "val_loss""#)
        assertSpecError(head + #""task": "regression", "metric": "val_accuracy"}"#,
                        #"s.json: metric: "val_accuracy" does not apply to task "regression"; expected "val_loss" or "val_r2""#)
        assertSpecError(head + #""task": "regression"}"#,
                        #"s.json: task: "regression" does not fit: data.generator "sum_bin" makes a classification problem"#)
        assertSpecError(head + #""metric": "val_r2"}"#,
                        #"s.json: metric: "val_r2" does not fit: data.generator "sum_bin" makes a classification problem; expected "val_accuracy" or "val_loss""#)
        let csv = #"{"version": 1, "data": {"csv": "nope.csv", "target": "y"}, "#
        assertSpecError(csv + #""metric": "val_r2"}"#, base: "/nonexistent",
                        #"s.json: data.csv: "nope.csv": no such file (/nonexistent/nope.csv)"#, kind: .data)
    }

    func testCSVNeedsATarget() {
        assertSpecError(#"{"version": 1, "data": {"csv": "a.csv"}}"#,
                        #"s.json: data.target: missing; name the column to predict, e.g. "target": "label""#)
    }

    // MARK: - Space values

    func testEveryChoiceIsValidatedWithItsPath() {
        assertSpecError(minimal(space: #"{"optimizer": ["sgd", "adam", "adamm"]}"#),
                        #"s.json: space.optimizer[2]: "adamm" is not allowed for optimizer; expected one of "sgd", "momentum", "adam", "adamw" (did you mean "adam"?)"#)
        assertSpecError(minimal(space: #"{"init": ["normal", "unifrom"]}"#),
                        #"s.json: space.init[1]: "unifrom" is not allowed for init; expected one of "normal", "uniform" (did you mean "uniform"?)"#)
        assertSpecError(minimal(space: #"{"weight_init": "uniform"}"#),
                        #"s.json: space.weight_init: unknown hyperparameter "weight_init" (did you mean "init"?)"#, prefix: true)
        assertSpecError(minimal(space: #"{"depth": [1, 2.5]}"#),
                        "s.json: space.depth[1]: 2.5 is not allowed for depth; expected an integer from 0 to 64")
        assertSpecError(minimal(space: #"{"schedule": ["constant", {"step": 0, "gamma": 0.5}]}"#),
                        "s.json: space.schedule[1]: step must be a whole number of epochs >= 1, got 0")
    }

    func testFixedValuesAreValidated() {
        assertSpecError(minimal(space: #"{"dropout": 0.99}"#),
                        "s.json: space.dropout: 0.99 is not allowed for dropout; expected a number >= 0 and <= 0.95")
        assertSpecError(minimal(space: #"{"nesterov": "yes"}"#),
                        #"s.json: space.nesterov: "yes" is not allowed for nesterov; expected true or false"#)
    }

    func testEmptyAndRepeatedChoices() {
        assertSpecError(minimal(space: #"{"width": []}"#),
                        "s.json: space.width: the list of choices is empty; give at least one value, or a single value without []")
        assertSpecError(minimal(space: #"{"lr": [0.1, 0.01, 1e-1]}"#),
                        "s.json: space.lr[2]: 1e-1 repeats space.lr[0]; list each choice once")
    }

    func testRangeOfTheWrongKindSaysWhichKindsAreAccepted() {
        assertSpecError(minimal(space: #"{"width": {"uniform": [8, 64]}}"#),
                        #"s.json: space.width.uniform: width takes integers: use {"int_uniform": [LOW, HIGH]} or a list, not "uniform""#)
        assertSpecError(minimal(space: #"{"lr": {"int_uniform": [1, 2]}}"#),
                        #"s.json: space.lr.int_uniform: lr takes real numbers: use {"uniform": [LOW, HIGH]}, {"log_uniform": [LOW, HIGH]} or a list, not "int_uniform""#)
        assertSpecError(minimal(space: #"{"optimizer": {"uniform": [0, 1]}}"#),
                        #"s.json: space.optimizer.uniform: optimizer takes no ranges: use a list of choices, not "uniform""#)
        assertSpecError(minimal(space: #"{"schedule": {"uniform": [0, 1]}}"#),
                        #"s.json: space.schedule.uniform: schedule takes no ranges: use a list of choices, not "uniform""#)
    }

    func testRangeBounds() {
        assertSpecError(minimal(space: #"{"lr": {"log_uniform": [0, 0.1]}}"#),
                        "s.json: space.lr.log_uniform[0]: 0 is not allowed for lr; expected a number > 0 and <= 100")
        assertSpecError(minimal(space: #"{"weight_decay": {"log_uniform": [0, 0.1]}}"#),
                        "s.json: space.weight_decay.log_uniform[0]: 0 is not allowed; log_uniform needs LOW > 0")
        assertSpecError(minimal(space: #"{"dropout": {"uniform": [0.5, 0.2]}}"#),
                        "s.json: space.dropout.uniform: LOW 0.5 must be less than HIGH 0.2 (for one value, write it without a range)")
        assertSpecError(minimal(space: #"{"depth": {"int_uniform": [1, 100]}}"#),
                        "s.json: space.depth.int_uniform[1]: 100 is not allowed for depth; expected an integer from 0 to 64")
        assertSpecError(minimal(space: #"{"depth": {"int_uniform": [3, 1]}}"#),
                        "s.json: space.depth.int_uniform: LOW 3 is greater than HIGH 1")
        assertSpecError(minimal(space: #"{"lr": {"uniform": [0.1]}}"#),
                        "s.json: space.lr.uniform: expected a list of two numbers [LOW, HIGH], found a list of one value")
        assertSpecError(minimal(space: #"{"lr": {"uniform": [0.1, 0.2, 0.3]}}"#),
                        "s.json: space.lr.uniform: expected a list of two numbers [LOW, HIGH], found a list of 3 values")
        assertSpecError(minimal(space: #"{"lr": {"uniform": [0.1, 0.2], "log": true}}"#),
                        "s.json: space.lr: a range has exactly one key", prefix: true)
    }

    // MARK: - Strategy

    func testGridRefusesARange() {
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin"}, "strategy": "grid", "space": {"depth": [1, 2], "lr": {"log_uniform": [0.0001, 0.1]}}}"#,
                        #"s.json: space.lr: a range {"log_uniform": [0.0001, 0.1]} cannot be searched by grid; use a list of values, or "strategy": "random""#)
    }

    func testRandomNeedsTrials() {
        assertSpecError(minimal(space: #"{"lr": {"log_uniform": [0.0001, 0.1]}}"#),
                        #"s.json: trials: missing; random search (used because space.lr is a range) needs a number of trials, e.g. "trials": 50"#)
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin"}, "strategy": "random"}"#,
                        #"s.json: trials: missing; random search needs a number of trials, e.g. "trials": 50"#)
    }

    func testGridTooLargeWithoutTrials() throws {
        let space = #"{"depth": [1,2,3,4,5,6,7,8,9,10], "width": [1,2,3,4,5,6,7,8,9,10], "epochs": [1,2,3,4,5,6,7,8,9,10], "#
            + #""batch_size": [1,2,3,4,5,6,7,8,9,10], "dropout": [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}"#
        XCTAssertNoThrow(try parseSpec(minimal(space: space)), "exactly 100000 combinations is allowed")
        let larger = space.replacingOccurrences(of: "0.9]}", with: "0.9], \"activation\": [\"relu\", \"tanh\"]}")
        assertSpecError(minimal(space: larger),
                        #"s.json: space: the grid has 200000 combinations (10 × 10 × 10 × 10 × 10 × 2), more than 100000; set "trials" to run only the first N, or use "strategy": "random""#)
        let capped = try parseSpec(#"{"version": 1, "data": {"generator": "sum_bin"}, "trials": 7, "space": "# + larger + "}")
        XCTAssertEqual(capped.strategy, .grid)
        XCTAssertEqual(capped.trials, 7)
    }

    // MARK: - Pruning

    func testPruningIsReadWithItsDefaults() throws {
        XCTAssertNil(try parseSpec(minimal(space: #"{"epochs": 30}"#)).pruning, "absent: no pruning")
        let halving = try parseSpec(minimal(space: #"{"epochs": 30}"#, extra: #""pruning": {"kind": "halving", "eta": 3, "min_epochs": 3}, "#))
        XCTAssertEqual(halving.pruning, Pruning(kind: .halving, eta: 3, minEpochs: 3))
        let hyperband = try parseSpec(minimal(space: #"{"epochs": [10, 30]}"#, extra: #""pruning": {"kind": "hyperband", "eta": 2, "min_epochs": 9}, "#))
        XCTAssertEqual(hyperband.pruning, Pruning(kind: .hyperband, eta: 2, minEpochs: 9))
        XCTAssertEqual(hyperband.epochsBounds.min, 10)
        XCTAssertEqual(hyperband.epochsBounds.max, 30)
        let defaults = try parseSpec(minimal(space: #"{"depth": 1}"#, extra: #""pruning": {"kind": "halving"}, "#))
        XCTAssertEqual(defaults.pruning, Pruning(kind: .halving, eta: 3, minEpochs: 1))
        XCTAssertEqual(defaults.epochsBounds.max, 20, "the default epochs")
        let ranged = try parseSpec(#"{"version": 1, "data": {"generator": "sum_bin"}, "trials": 4, "pruning": {"kind": "halving", "min_epochs": 4}, "#
            + #""space": {"epochs": {"int_uniform": [5, 40]}}}"#)
        XCTAssertEqual(ranged.epochsBounds.min, 5)
        XCTAssertEqual(ranged.epochsBounds.max, 40)
    }

    func testPruningErrorsNameThePathAndWhatIsAllowed() {
        func spec(_ pruning: String, space: String = #"{"epochs": 30}"#) -> String {
            minimal(space: space, extra: #""pruning": "# + pruning + ", ")
        }
        assertSpecError(spec(#""halving""#),
                        #"s.json: pruning: expected an object, {"kind": "halving", "eta": 3, "min_epochs": 3}, found a string "halving""#)
        assertSpecError(spec(#"{"kind": "halving", "min_epoch": 3}"#),
                        #"s.json: pruning.min_epoch: unknown key (did you mean "min_epochs"?); known keys: kind, eta, min_epochs"#)
        assertSpecError(spec(#"{"kind": "halving", "etta": 3}"#),
                        #"s.json: pruning.etta: unknown key (did you mean "eta"?); known keys: kind, eta, min_epochs"#)
        assertSpecError(spec(#"{"eta": 3}"#),
                        #"s.json: pruning.kind: missing; expected one of "halving", "hyperband", e.g. {"kind": "halving", "eta": 3, "min_epochs": 3}"#)
        assertSpecError(spec(#"{"kind": "halvng"}"#),
                        #"s.json: pruning.kind: "halvng" is not allowed (did you mean "halving"?); expected one of "halving", "hyperband""#)
        assertSpecError(spec(#"{"kind": "hyperbands"}"#),
                        #"s.json: pruning.kind: "hyperbands" is not allowed (did you mean "hyperband"?); expected one of "halving", "hyperband""#)
        assertSpecError(spec(#"{"kind": 3}"#),
                        #"s.json: pruning.kind: expected one of "halving", "hyperband", found a number 3"#)
        assertSpecError(spec(#"{"kind": "halving", "eta": 1}"#), "s.json: pruning.eta: 1 is not allowed; expected an integer from 2 to 1000")
        assertSpecError(spec(#"{"kind": "halving", "eta": 2.5}"#), "s.json: pruning.eta: 2.5 is not allowed; expected an integer from 2 to 1000")
        assertSpecError(spec(#"{"kind": "halving", "eta": "3"}"#),
                        #"s.json: pruning.eta: expected an integer from 2 to 1000, found a string "3""#)
        assertSpecError(spec(#"{"kind": "halving", "min_epochs": 0}"#),
                        "s.json: pruning.min_epochs: 0 is not allowed; expected an integer from 1 to 29 (below space.epochs 30)")
        assertSpecError(spec(#"{"kind": "halving", "min_epochs": 30}"#),
                        "s.json: pruning.min_epochs: 30 is not allowed; expected an integer from 1 to 29 (below space.epochs 30)")
        assertSpecError(spec(#"{"kind": "halving", "min_epochs": 10}"#, space: #"{"epochs": [30, 10]}"#),
                        "s.json: pruning.min_epochs: 10 is not allowed; expected an integer from 1 to 9 (below the fewest epochs of space.epochs, 10)")
        assertSpecError(spec(#"{"kind": "halving", "min_epochs": 20}"#, space: #"{"depth": 1}"#),
                        "s.json: pruning.min_epochs: 20 is not allowed; expected an integer from 1 to 19 (below the default epochs, 20)")
        assertSpecError(spec(#"{"kind": "halving"}"#, space: #"{"epochs": [1, 5]}"#),
                        "s.json: pruning: trials of 1 epoch cannot be pruned: min_epochs must be below the fewest epochs of space.epochs, 1")
    }

    /// A spec whose pruning changed is a different search: `resume` lists it.
    func testPruningIsADifference() throws {
        let plain = try parseSpec(minimal(space: #"{"epochs": 30}"#))
        let pruned = try parseSpec(minimal(space: #"{"epochs": 30}"#, extra: #""pruning": {"kind": "halving", "min_epochs": 3}, "#))
        XCTAssertEqual(plain.differences(from: pruned), [#"pruning: (not set) → {"kind": "halving", "eta": 3, "min_epochs": 3}"#])
        XCTAssertEqual(pruned.differences(from: pruned), [])
    }

    // MARK: - Single trial

    func testSingleTrialAppliesFixedEntriesThenOverrides() throws {
        let spec = try parseSpec(minimal(space: #"{"epochs": 7, "lr": {"log_uniform": [0.0001, 0.1]}, "width": [8, 16]}"#, extra: #""trials": 3, "#))
        let h = try spec.singleTrial(overrides: [
            (name: "lr", value: .number(0.05, text: "0.05")), (name: "width", value: .number(16, text: "16")),
            (name: "optimizer", value: .string("sgd")),
        ])
        var expected = Hyperparameters()
        expected.epochs = 7
        expected.lr = 0.05
        expected.width = 16
        expected.optimizer = .sgd
        XCTAssertEqual(h, expected)
    }

    func testSingleTrialNamesOpenDimensionsAndBadOverrides() throws {
        let spec = try parseSpec(minimal(space: #"{"lr": {"log_uniform": [1e-4, 0.1]}, "width": [8, 16], "depth": 3}"#, extra: #""trials": 3, "#))
        XCTAssertThrowsError(try spec.singleTrial(overrides: [])) { error in
            XCTAssertEqual(error as? NNSearchError, NNSearchError(.usage, """
                space.lr is a range {"log_uniform": [1e-4, 0.1]}; choose one value with --set lr=VALUE
                space.width is a list of choices [8, 16]; choose one value with --set width=VALUE
                """))
        }
        XCTAssertThrowsError(try spec.singleTrial(overrides: [(name: "optimiser", value: .string("sgd"))])) { error in
            XCTAssertTrue((error as? NNSearchError)?.message.hasPrefix(
                #"--set optimiser: unknown hyperparameter "optimiser" (did you mean "optimizer"?)"#) ?? false, "\(error)")
        }
        XCTAssertThrowsError(try spec.singleTrial(overrides: [(name: "width", value: .number(0, text: "0"))])) { error in
            XCTAssertEqual((error as? NNSearchError)?.message, "--set width: 0 is not allowed for width; expected an integer from 1 to 16384")
        }
    }

    // MARK: - Robustness

    /// Every leaf of the contract replaced by odd values: the spec loads (and plans) or throws an `NNSearchError`.
    func testNeverCrashesOnOddValues() throws {
        let contract = try parseJSON(SpecLoaderTests.contract, file: "s.json")
        let odd = try ["null", "true", "-1", "0", "0.5", "1e308", "18446744073709551616", "\"\"", "\"x\"", "[]", "{}", "[[]]",
                       #"{"uniform": [0, 1]}"#, #"{"int_uniform": [0, 3]}"#, #"{"log_uniform": [1e-9, 1e9]}"#]
            .map { try parseJSON($0, file: "-") }
        var outcomes = (loaded: 0, rejected: 0)
        for variant in contract.leafReplacements(odd) {
            do {
                let spec = try SearchSpec.parse(variant, file: "s.json", baseDirectory: "/tmp")
                let plan = TrialPlan(spec: spec)
                if plan.count > 0 { _ = (plan.trial(0), plan.trial(plan.count - 1)) }
                outcomes.loaded += 1
            } catch is NNSearchError {
                outcomes.rejected += 1
            }
        }
        XCTAssertGreaterThan(outcomes.loaded, 10)
        XCTAssertGreaterThan(outcomes.rejected, 100)
    }

    // MARK: - Validation: a fraction or folds

    func testValidationFoldsAndRepeats() throws {
        let head = #"{"version": 1, "data": {"generator": "sum_bin"}, "#
        XCTAssertEqual(try parseSpec(head + #""validation": {"folds": 5}}"#).validation, .folds(CrossValidation(folds: 5, repeats: 1)))
        let spec = try parseSpec(head + #""validation": {"folds": 20, "repeats": 10}}"#)
        XCTAssertEqual(spec.validation, .folds(CrossValidation(folds: 20, repeats: 10)))
        XCTAssertEqual(spec.validation.rounds, 200)
        XCTAssertEqual(try parseSpec(head + #""validation": 0.3}"#).validation, .holdout(0.3))
        XCTAssertEqual(try parseSpec(head + #""validation": {"folds": 2}}"#).differences(from: spec),
                       [#"validation: {"folds": 2} → {"folds": 20, "repeats": 10}"#])
        XCTAssertEqual(try parseSpec(head + #""validation": 0.2}"#).differences(from: spec), [#"validation: 0.2 → {"folds": 20, "repeats": 10}"#])
    }

    func testBadFoldsAndRepeatsSayWhatIsAllowed() {
        let head = #"{"version": 1, "data": {"generator": "sum_bin"}, "validation": "#
        assertSpecError(head + #"{"folds": 1}}"#, "s.json: validation.folds: 1 is not allowed; expected an integer from 2 to 20")
        assertSpecError(head + #"{"folds": 21}}"#, "s.json: validation.folds: 21 is not allowed; expected an integer from 2 to 20")
        assertSpecError(head + #"{"folds": 2.5}}"#, "s.json: validation.folds: 2.5 is not allowed; expected an integer from 2 to 20")
        assertSpecError(head + #"{"folds": "5"}}"#, #"s.json: validation.folds: expected an integer from 2 to 20, found a string "5""#)
        assertSpecError(head + #"{"folds": 5, "repeats": 0}}"#, "s.json: validation.repeats: 0 is not allowed; expected an integer from 1 to 10")
        assertSpecError(head + #"{"folds": 5, "repeats": 11}}"#, "s.json: validation.repeats: 11 is not allowed; expected an integer from 1 to 10")
        assertSpecError(head + #"{"repeats": 2}}"#, #"s.json: validation.folds: missing; cross-validation needs a number of folds, e.g. {"folds": 5}"#)
        assertSpecError(head + #"{"fold": 5}}"#, #"s.json: validation.fold: unknown key (did you mean "folds"?); known keys: folds, repeats"#)
        assertSpecError(head + #"{"folds": 5, "repaets": 2}}"#, #"s.json: validation.repaets: unknown key (did you mean "repeats"?); known keys: folds, repeats"#)
        assertSpecError(head + #""five"}"#, #"s.json: validation: expected a fraction of the rows (a number > 0 and <= 0.9) or cross-validation {"folds": K, "repeats": R}, found a string "five""#)
        assertSpecError(head + #"[5]}"#, #"s.json: validation: expected a fraction of the rows (a number > 0 and <= 0.9) or cross-validation {"folds": K, "repeats": R}, found a list of one value"#)
    }

    func testFoldsWithPruningAreRefusedWithTheReason() {
        assertSpecError(#"{"version": 1, "data": {"generator": "sum_bin"}, "validation": {"folds": 5}, "space": {"epochs": 9}, "pruning": {"kind": "halving"}}"#,
                        #"s.json: pruning: cannot be combined with cross-validation ("validation": {"folds": 5}): rungs rank trials by their figures"#
                            + " after a few epochs on one split, while a cross-validated trial trains its folds one after another and has a figure"
                            + #" only once every fold is done; remove "pruning", or validate on a fraction such as "validation": 0.2"#)
    }

    func testKeepModelsIsACountFrom0To1000AndNotWithFolds() throws {
        XCTAssertEqual(try parseSpec(minimal(space: "{}")).modelsToKeep, 5, "the best 5 by default")
        XCTAssertNil(try parseSpec(minimal(space: "{}")).keepModels)
        XCTAssertEqual(try parseSpec(minimal(space: "{}", extra: #""keep_models": 0, "#)).modelsToKeep, 0)
        XCTAssertEqual(try parseSpec(minimal(space: "{}", extra: #""keep_models": 12, "#)).modelsToKeep, 12)
        XCTAssertEqual(try parseSpec(minimal(space: "{}", extra: #""validation": {"folds": 3}, "#)).modelsToKeep, 0,
                       "cross-validated trials keep none")
        XCTAssertEqual(try parseSpec(minimal(space: "{}", extra: #""validation": {"folds": 3}, "keep_models": 0, "#)).modelsToKeep, 0)
        for bad in ["-1", "1001", "2.5", #""5""#] {
            assertSpecError(minimal(space: "{}", extra: #""keep_models": "# + bad + ", "), "s.json: keep_models: ", prefix: true)
        }
        assertSpecError(minimal(space: "{}", extra: #""keep_models": -1, "#),
                        "s.json: keep_models: -1 is not allowed; expected a number of models from 0 to 1000 (0 keeps none)")
        assertSpecError(minimal(space: "{}", extra: #""validation": {"folds": 3}, "keep_models": 2, "#),
                        #"s.json: keep_models: cannot keep models with cross-validation ("validation": {"folds": 3}): a cross-validated"#
                            + " trial trains one model per fold, and none of them is the trial's model; remove \"keep_models\" and train the"
                            + " chosen trial's model on every row with nnsearch export DIR --refit --out MODEL.json")
    }

    // MARK: - Helpers

    /// A valid spec around `space`.
    // MARK: - Issue 12: aliases, memory sizes, long values

    func testOtherToolsNamesSuggestOurs() {
        let aliases = ["learning_rate": "lr", "lr_schedule": "schedule", "hidden_layers": "depth", "units": "width",
                       "n_epochs": "epochs", "optim": "optimizer"]
        for (alias, name) in aliases {
            assertSpecError(minimal(space: #"{""# + alias + #"": 1}"#),
                            "s.json: space.\(alias): unknown hyperparameter \"\(alias)\" (did you mean \"\(name)\"?); known: ", prefix: true)
        }
        assertSpecError(#"{"version": 1, "learning_rate": 0.1}"#,
                        #"s.json: learning_rate: unknown key (did you mean "lr"?); hyperparameters go inside "space""#, prefix: true)
        XCTAssertEqual(Hyperparameter.suggestion(for: "LEARNING_RATE"), #" (did you mean "lr"?)"#)
        XCTAssertEqual(Hyperparameter.suggestion(for: "widht"), #" (did you mean "width"?)"#, "edit distance still works")
        XCTAssertEqual(Hyperparameter.suggestion(for: "colour"), "")
        for (alias, name) in Hyperparameter.aliases {
            XCTAssertNotNil(Hyperparameter.named(name), "\(alias) points at \(name), which is not a hyperparameter")
            XCTAssertNil(Hyperparameter.named(alias), "\(alias) is a hyperparameter itself")
        }
    }

    func testMaxMemoryReadsBytesAndUnits() throws {
        let sizes: [(String, Int)] = [("1000000", 1_000_000), (#""2GB""#, 2_000_000_000), (#""512 MB""#, 512_000_000),
                                      (#""1.5GiB""#, 1_610_612_736), (#""3000kb""#, 3_000_000), (#""1TB""#, 1_000_000_000_000)]
        for (written, bytes) in sizes {
            XCTAssertEqual(try parseSpec(minimal(space: "{}", extra: #""max_memory": "# + written + ", ")).maxMemory, bytes, written)
        }
        XCTAssertNil(try parseSpec(minimal(space: "{}")).maxMemory)
        let allowed = #"expected a size in bytes, or a string like "512MB", "2GB" or "1.5GiB", of at least 1MB"#
        assertSpecError(minimal(space: "{}", extra: #""max_memory": "2 gigs", "#), #"s.json: max_memory: "2 gigs" is not a size; "# + allowed)
        assertSpecError(minimal(space: "{}", extra: #""max_memory": 0, "#), "s.json: max_memory: 0 is not allowed; " + allowed)
        assertSpecError(minimal(space: "{}", extra: #""max_memory": 1.5, "#), "s.json: max_memory: 1.5 is not a whole number of bytes; " + allowed)
        assertSpecError(minimal(space: "{}", extra: #""max_memory": true, "#), "s.json: max_memory: " + allowed + ", found a boolean true")
        assertSpecError(#"{"version": 1, "max_memroy": "1GB"}"#, #"s.json: max_memroy: unknown key (did you mean "max_memory"?)"#, prefix: true)
    }

    /// Found by the spec fuzzer: hyperband with a billion trials spent minutes assigning brackets.
    func testAPrunedSearchHasAtMostAMillionTrials() throws {
        let pruned = { (trials: String) in
            #"{"version": 1, "data": {"generator": "sum_bin"}, "strategy": "random", "trials": "# + trials
                + #", "pruning": {"kind": "hyperband"}, "space": {"lr": {"log_uniform": [0.001, 0.1]}, "epochs": 9}}"#
        }
        XCTAssertNoThrow(try parseSpec(pruned("1000000")))
        assertSpecError(pruned("1000000000"), "s.json: trials: 1,000,000,000 trials cannot be pruned: a rung is decided only once"
                        + " every trial reached it; prune at most 1,000,000 trials")
    }

    func testLongValuesAreCutInMessages() {
        let long = String(repeating: "a", count: 102_400)
        let cut = String(repeating: "a", count: 59) + "…(102,402 characters)"
        assertSpecError(minimal(space: #"{"optimizer": ""# + long + #""}"#),
                        "s.json: space.optimizer: \"" + cut + " is not allowed for optimizer; expected ", prefix: true)
        let digits = "0." + String(repeating: "0", count: 102_400) + "1"
        assertSpecError(minimal(space: "{}", extra: #""trials": "# + digits + ", "),
                        "s.json: trials: 0." + String(repeating: "0", count: 58) + "…(102,403 characters) is not allowed", prefix: true)
        do {
            _ = try parseSpec(minimal(space: #"{""# + long + #"": 1}"#))
            XCTFail("an unknown key of 100 KB")
        } catch let error as NNSearchError {
            XCTAssertLessThan(error.message.count, 1000, error.message)
            XCTAssertTrue(error.message.contains("characters)"), error.message)
        } catch {
            XCTFail("\(error)")
        }
        XCTAssertEqual(abbreviated("short"), "short")
        XCTAssertEqual(abbreviated(String(repeating: "é", count: 61)), String(repeating: "é", count: 60) + "…(61 characters)")
    }

    private func minimal(space: String, extra: String = "") -> String {
        #"{"version": 1, "data": {"generator": "sum_bin"}, "# + extra + #""space": "# + space + "}"
    }

    private func parseSpec(_ text: String, base: String = "/tmp") throws -> SearchSpec {
        try SearchSpec.parse(try parseJSON(text, file: "s.json"), file: "s.json", baseDirectory: base)
    }

    /// Asserts that a spec fails with `expected` (or a message starting with it, when `prefix`).
    private func assertSpecError(_ text: String, base: String = "/tmp", _ expected: String, kind: NNSearchError.Kind = .usage,
                                 prefix: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try parseSpec(text, base: base)
            XCTFail("expected an error: \(expected)", file: file, line: line)
        } catch let error as NNSearchError {
            XCTAssertEqual(error.kind, kind, file: file, line: line)
            if prefix {
                XCTAssertTrue(error.message.hasPrefix(expected), "\(error.message)\ndoes not start with\n\(expected)", file: file, line: line)
            } else {
                XCTAssertEqual(error.message, expected, file: file, line: line)
            }
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    /// A fresh directory with `data/` and `searches/` inside, removed after the test.
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nnsearch-spec-\(UUID().uuidString)").path
        for sub in ["data", "searches"] {
            try FileManager.default.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}

private extension JSONValue {
    /// Copies of the value with one leaf (a non-container, or an empty container) replaced by each of `values`.
    func leafReplacements(_ values: [JSONValue]) -> [JSONValue] {
        switch self {
        case .array(let items) where !items.isEmpty:
            return items.indices.flatMap { i in
                items[i].leafReplacements(values).map { var copy = items; copy[i] = $0; return JSONValue.array(copy) }
            }
        case .object(let members) where !members.isEmpty:
            return members.indices.flatMap { i in
                members[i].value.leafReplacements(values).map { var copy = members; copy[i].value = $0; return JSONValue.object(copy) }
            }
        default:
            return values
        }
    }
}
