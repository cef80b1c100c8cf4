import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Kept models, `export` and `predict` on the built binary.
final class ModelCommandTests: XCTestCase {
    // MARK: - Data and specs

    /// A seeded CSV: features a, b, c (c is noise), a target `kind` with `classes` string classes
    /// (by a rule on a and b, some rows flipped) or a real `y` for regression; an `id` column the
    /// spec ignores is not written (today's loader makes every other column a feature).
    static func csv(rows: Int = 600, classes: Int?) -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let names = ["low", "mid", "high"]
        var text = "a,b,c," + (classes == nil ? "y" : "kind") + "\n"
        for _ in 0..<rows {
            let a = uniform() * 4 - 2, b = uniform() * 4 - 2, c = uniform() * 10
            let target: String
            if let classes {
                let s = a * a + b + (uniform() < 0.05 ? 3 : 0)
                target = classes == 2 ? (s > 1 ? "yes" : "no") : names[s < 0 ? 0 : s < 2 ? 1 : 2]
            } else {
                target = String(format: "%.5f", 10 * sin(a) + b * b + 0.1 * uniform())
            }
            text += String(format: "%.5f,%.5f,%.5f,", a, b, c) + target + "\n"
        }
        return text
    }

    static func spec(target: String, trials: Int = 10, extra: String = "") -> String {
        #"""
        {"version": 1, "data": {"csv": "data.csv", "target": "\#(target)"}, "strategy": "random", "trials": \#(trials), "seed": 4, \#(extra)
         "space": {"depth": {"int_uniform": [1, 2]}, "width": [8, 16], "lr": {"log_uniform": [0.003, 0.05]},
                   "optimizer": ["momentum", "adam"], "activation": ["relu", "tanh"], "batch_size": 32, "epochs": 6,
                   "normalize": ["standardize", "batchnorm", "none"], "dropout": [0, 0.1]}}
        """#
    }

    /// A finished search over `csv` in a fresh directory: (directory, spec path, folder).
    private func search(_ csv: String, _ spec: String, workers: Int = 1) throws -> (dir: URL, spec: String, folder: String) {
        let dir = try BinaryHarness.temporaryDirectory(self)
        try BinaryHarness.write(csv, to: "data.csv", in: dir)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        let folder = dir.appendingPathComponent("s").path
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", String(workers)])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (dir, specPath, folder)
    }

    /// The rows of a CSV text (header first), split on commas (no quoted fields in these files).
    private func table(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The field `column` of trial `trial`'s row in leaderboard.csv.
    private func figure(_ folder: String, trial: Int, _ column: String) throws -> String {
        let rows = table(readFile(folder + "/leaderboard.csv"))
        let c = try XCTUnwrap(rows[0].firstIndex(of: column))
        return try XCTUnwrap(rows.first { $0[1] == String(trial) })[c]
    }

    /// The validation rows of a CSV search (0-based data rows): the documented split, the rows after the
    /// first ⌊n × 0.8⌋ of `Random(seed: 0, stream: 1).permutation(n)`.
    private func validationRows(_ n: Int) -> [Int] {
        var random = Random(seed: 0, stream: 1)
        return Array(random.permutation(n)[Int(Double(n) * 0.8)...])
    }

    // MARK: - Kept models

    func testKeptModelsAreTheBestKAndTheSameForOneTwoWorkersAndTwoProcesses() throws {
        let csv = Self.csv(classes: 3), spec = Self.spec(target: "kind", trials: 14, extra: #""keep_models": 3,"#)
        let (dir, specPath, reference) = try search(csv, spec)
        assertKeptModels(reference, keep: 3)
        XCTAssertEqual(ModelStore.keptTrials(SearchFolder(reference)).count, 3)

        let two = dir.appendingPathComponent("two").path
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two]).status, 0)
        assertKeptModels(two, as: reference, keep: 3)

        let processes = dir.appendingPathComponent("processes").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", processes]).status, 0)
        let workers = try (0..<2).map { try launch(["worker", processes, "--workers", "1"], log: dir.appendingPathComponent("w\($0).log").path) }
        for w in workers { waitForExit(w) }
        assertKeptModels(processes, as: reference, keep: 3)
    }

    func testKeepModelsZeroKeepsNoneAndPredictSaysHowToGetOne() throws {
        let (_, _, folder) = try search(Self.csv(classes: 2), Self.spec(target: "kind", trials: 3, extra: #""keep_models": 0,"#))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/models"))
        let r = try BinaryHarness.run(["predict", folder, folder + "/../data.csv"])
        XCTAssertEqual(r.status, 66, r.stderr)
        XCTAssertTrue(r.stderr.contains("\"keep_models\": 0"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nnsearch export \(folder) --refit --out MODEL.json"), r.stderr)
        let e = try BinaryHarness.run(["export", folder, "--out", folder + "/m.json"])
        XCTAssertEqual(e.status, 66, e.stderr)
        XCTAssertTrue(e.stderr.contains("--refit"), e.stderr)
    }

    // MARK: - predict reproduces the search

    func testPredictOnTheTrainingFileReproducesEveryKeptModelsValidationAccuracyExactly() throws {
        for classes in [2, 3] {
            let csv = Self.csv(classes: classes)
            let (dir, _, folder) = try search(csv, Self.spec(target: "kind"))
            let data = table(csv)
            let truth = data.dropFirst().map { $0[3] }
            let validation = validationRows(truth.count)
            let kept = ModelStore.keptTrials(SearchFolder(folder))
            XCTAssertEqual(kept.count, 5)
            for trial in kept {
                let model = folder + "/models/trial-" + SearchFolder.paddedNumber(trial) + ".json"
                let r = try BinaryHarness.run(["predict", model, dir.appendingPathComponent("data.csv").path])
                XCTAssertEqual(r.status, 0, r.stderr)
                let out = table(r.stdout)
                XCTAssertEqual(out[0], ["row", "label"] + (classes == 2 ? ["p_no", "p_yes"] : ["p_high", "p_low", "p_mid"]))
                XCTAssertEqual(out.count, truth.count + 1)
                XCTAssertEqual(out.dropFirst().map { Int($0[0])! }, Array(1...truth.count), "1-based data rows")
                let correct = validation.filter { out[$0 + 1][1] == truth[$0] }.count
                let accuracy = Double(correct) / Double(validation.count)
                XCTAssertEqual(accuracy, Double(try figure(folder, trial: trial, "val_accuracy")),
                               "\(classes) classes, trial \(trial): the validation accuracy of the search, exactly")
            }
        }
    }

    func testOnAMessyCSVPredictReproducesTheValidationAccuracyAndCountsWhatItFilled() throws {
        let csv = ModelSamples.messyCSV()
        let spec = Self.spec(target: "survived", trials: 6).replacingOccurrences(
            of: #""target": "survived"}"#, with: #""target": "survived", "ignore": ["id"], "missing": ["?"]}"#)
        let (dir, _, folder) = try search(csv, spec)
        let path = dir.appendingPathComponent("data.csv").path
        let data = table(csv)   // no quoted field of this file holds a comma
        XCTAssertEqual(data[0], ["id", "age", "fare", "sex", "port", "deck", "survived"])
        let truth = data.dropFirst().map { $0[6] }
        let validation = validationRows(truth.count)
        // The file's missing cells, per column, by the standard texts and the spec's "?".
        let missing = (1...5).map { c in data.dropFirst().filter { ["", "NA", "?", "null"].contains($0[c]) }.count }
        XCTAssertEqual(missing[1], 0, "fare has none")
        XCTAssertEqual(missing[2], 0, "sex has none")
        let kept = ModelStore.keptTrials(SearchFolder(folder))
        XCTAssertEqual(kept.count, 5)
        for trial in kept {
            let model = SearchFolder(folder).model(trial)
            let r = try BinaryHarness.run(["predict", model, path])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("nnsearch: \(path): \(missing[0] + missing[3] + missing[4]) missing cells filled as in training"
                + " (age \(missing[0]), port \(missing[3]), deck \(missing[4]))\n"), r.stderr)
            let out = table(r.stdout)
            XCTAssertEqual(out[0], ["row", "label", "p_no", "p_yes"])
            let correct = validation.filter { out[$0 + 1][1] == truth[$0] }.count
            XCTAssertEqual(Double(correct) / Double(validation.count), Double(try figure(folder, trial: trial, "val_accuracy")),
                           "trial \(trial): the validation accuracy of the search, exactly")
        }
        // New rows: an unknown category, a missing cell in a column the training rows always had, extra and reordered columns.
        let rows = try BinaryHarness.write("""
            deck,port,sex,fare,age,note
            A,S,M,20,30,x
            B,Z,X,,NA,y
            7,?,,15,41,z
            C,C,X,null,?,w

            """, to: "new.csv", in: dir)
        let r = try BinaryHarness.run(["predict", folder, rows])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("nnsearch: \(rows): 5 missing cells filled as in training (age 2, fare 2, port 1);"
            + " 1 missing cell read as all zeros, the training rows having none missing (sex 1);"
            + " 3 unknown categories read as all zeros (sex \"X\" ×2, port \"Z\" ×1)\n"), r.stderr)
        XCTAssertEqual(table(r.stdout).count, 5)

        // The refit learns its encoding from every row: the fill of age is the mean of all its cells.
        let refitPath = dir.appendingPathComponent("refit.json").path
        XCTAssertEqual(try BinaryHarness.run(["export", folder, "--refit", "--out", refitPath]).status, 0)
        let refit = try SavedModel.read(path: refitPath)
        let ages = data.dropFirst().compactMap { Float($0[1]) }
        guard case .number("age", let fill, true) = refit.columns[0] else { return XCTFail("\(refit.columns)") }
        XCTAssertEqual(fill, Float(ages.map(Double.init).reduce(0, +) / Double(ages.count)))
        XCTAssertEqual(refit.missingTexts, ["?"])
        let onnx = try BinaryHarness.run(["export", folder, "--out", dir.appendingPathComponent("m.onnx").path])
        XCTAssertEqual(onnx.status, 0, onnx.stderr)
    }

    func testRegressionPredictionsGiveTheTrialsR2() throws {
        let csv = Self.csv(classes: nil)
        let (dir, _, folder) = try search(csv, Self.spec(target: "y", trials: 6, extra: #""task": "regression", "metric": "val_r2","#))
        let r = try BinaryHarness.run(["predict", folder, dir.appendingPathComponent("data.csv").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = table(r.stdout)
        XCTAssertEqual(out[0], ["row", "prediction"])
        let y = table(csv).dropFirst().map { Double(Float($0[3])!) }
        let rows = validationRows(y.count)
        let mean = rows.map { y[$0] }.reduce(0, +) / Double(rows.count)
        let total = rows.map { (y[$0] - mean) * (y[$0] - mean) }.reduce(0, +)
        let error = rows.map { i -> Double in let d = Double(Float(out[i + 1][1])!) - y[i]; return d * d }.reduce(0, +)
        let best = try XCTUnwrap(bestCompleted(folder, count: 1).first)
        XCTAssertTrue(r.stderr.contains("trial-" + SearchFolder.paddedNumber(best) + ".json"), "DIR predicts with its best kept model: \(r.stderr)")
        // The kernel sums squared errors of Float differences in chunks; in Double here: equal to ~1e-7 relative.
        XCTAssertEqual(1 - error / total, Double(try figure(folder, trial: best, "val_r2"))!, accuracy: 1e-6)
    }

    // MARK: - export

    func testExportJSONIsTheKeptModelAndPredictsTheSame() throws {
        let (dir, _, folder) = try search(Self.csv(classes: 3), Self.spec(target: "kind"))
        let best = try XCTUnwrap(bestCompleted(folder, count: 1).first)
        let out = dir.appendingPathComponent("best.json").path
        let r = try BinaryHarness.run(["export", folder, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("trial \(best)"), r.stdout)
        XCTAssertEqual(FileManager.default.contents(atPath: out), FileManager.default.contents(atPath: SearchFolder(folder).model(best)))
        let model = try SavedModel.read(path: out)
        XCTAssertEqual(model.origin.trial, best)
        XCTAssertEqual(model.columns.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(model.target, .classes(column: "kind", labels: ["high", "low", "mid"]))
        XCTAssertEqual(model.origin.rows, 480)
        XCTAssertFalse(model.origin.refit)
        let data = dir.appendingPathComponent("data.csv").path
        XCTAssertEqual(try BinaryHarness.run(["predict", out, data]).stdout, try BinaryHarness.run(["predict", folder, data]).stdout)

        let second = try XCTUnwrap(bestCompleted(folder, count: 2).last)
        let other = dir.appendingPathComponent("second.json").path
        XCTAssertEqual(try BinaryHarness.run(["export", folder, "--trial", String(second), "--out", other]).status, 0)
        XCTAssertEqual(try SavedModel.read(path: other).origin.trial, second)

        let onnx = dir.appendingPathComponent("best.onnx").path
        let o = try BinaryHarness.run(["export", folder, "--out", onnx])
        XCTAssertEqual(o.status, 0, o.stderr)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: onnx))
        XCTAssertEqual(Array(bytes.prefix(2)), [0x08, 0x07], "ir_version 7 first")
        XCTAssertEqual(try ProtobufMessage([UInt8](bytes)).message(8)?.int(2), 13)

        for (args, status, fragment) in [
            (["export", folder], 64, "--out FILE is required"),
            (["export", folder, "--out", dir.appendingPathComponent("m.txt").path], 64, "the format follows the extension"),
            (["export", folder, "--trial", "99", "--out", out], 64, "has trials 0 to 9"),
            (["export", dir.appendingPathComponent("nothing").path, "--out", out], 66, "no such folder"),
        ] {
            let e = try BinaryHarness.run(args)
            XCTAssertEqual(e.status, Int32(status), "\(args): \(e.stderr)")
            XCTAssertTrue(e.stderr.contains(fragment), "\(args): \(e.stderr)")
        }
    }

    func testRefitIsDeterministicAndTrainsOnEveryRow() throws {
        let (dir, _, folder) = try search(Self.csv(classes: 2), Self.spec(target: "kind", trials: 6))
        func export(_ name: String, _ extra: [String] = []) throws -> Data {
            let path = dir.appendingPathComponent(name).path
            let r = try BinaryHarness.run(["export", folder, "--refit", "--out", path] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            return try XCTUnwrap(FileManager.default.contents(atPath: path))
        }
        XCTAssertEqual(try export("r1.json"), try export("r2.json"), "the same refit twice")
        XCTAssertEqual(try export("r1.onnx"), try export("r2.onnx"))
        let refit = try SavedModel.read(path: dir.appendingPathComponent("r1.json").path)
        let kept = try SavedModel.read(path: SearchFolder(folder).model(refit.origin.trial))
        XCTAssertTrue(refit.origin.refit)
        XCTAssertEqual(refit.origin.rows, 600, "training and validation rows")
        XCTAssertEqual(refit.origin.epochs, kept.origin.epochs)
        XCTAssertEqual(refit.hyperparameters, kept.hyperparameters)
        XCTAssertEqual(refit.origin.metricValue, kept.origin.metricValue, "the trial's figure in the search")
        XCTAssertNotEqual(refit.network, kept.network)
        if let s = refit.standardization {
            let a = table(readFile(dir.appendingPathComponent("data.csv").path)).dropFirst().map { Double(Float($0[0])!) }
            XCTAssertEqual(s.mean[0], a.reduce(0, +) / Double(a.count), accuracy: 1e-12, "statistics of every row")
        }
        // Any trial, pruned or not kept, can be refit.
        let last = try XCTUnwrap(bestCompleted(folder, count: 6).last)
        let any = dir.appendingPathComponent("any.json").path
        XCTAssertEqual(try BinaryHarness.run(["export", folder, "--trial", String(last), "--refit", "--out", any]).status, 0)
        XCTAssertEqual(try SavedModel.read(path: any).origin.trial, last)
        // A folder whose spec.json was edited since (another seed: other trials) refuses a refit rather than train another configuration.
        let specFile = SearchFolder(folder).spec
        let edited = try XCTUnwrap(String(contentsOfFile: specFile, encoding: .utf8))
        let reseeded = edited.replacingOccurrences(of: #""seed": 4"#, with: #""seed": 5"#)
        XCTAssertNotEqual(reseeded, edited, "the folder's spec names its seed")
        try reseeded.write(toFile: specFile, atomically: true, encoding: .utf8)
        let refused = try BinaryHarness.run(["export", folder, "--trial", String(last), "--refit", "--out", any])
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the spec changed since the search ran"), refused.stderr)
    }

    func testCrossValidatedSearchesKeepNoModelAndExportNeedsRefit() throws {
        let (dir, _, folder) = try search(Self.csv(classes: 2), Self.spec(target: "kind", trials: 3, extra: #""validation": {"folds": 3},"#))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/models"))
        let out = dir.appendingPathComponent("m.json").path
        let r = try BinaryHarness.run(["export", folder, "--out", out])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertTrue(r.stderr.contains("cross-validates (3 folds)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--refit --out FILE"), r.stderr)
        let refit = try BinaryHarness.run(["export", folder, "--refit", "--out", out])
        XCTAssertEqual(refit.status, 0, refit.stderr)
        XCTAssertEqual(try SavedModel.read(path: out).origin.rows, 600)
        XCTAssertEqual(try BinaryHarness.run(["predict", out, dir.appendingPathComponent("data.csv").path]).status, 0)
    }

    // MARK: - predict's input and errors

    func testPredictReadsColumnsByNameInAnyOrderAndIgnoresOthers() throws {
        let csv = Self.csv(classes: 3)
        let (dir, _, folder) = try search(csv, Self.spec(target: "kind", trials: 3))
        let original = try BinaryHarness.run(["predict", folder, dir.appendingPathComponent("data.csv").path])
        XCTAssertEqual(original.status, 0, original.stderr)
        // Columns reordered, an id and a note added, the target dropped, spaces around cells, CRLF.
        var shuffled = "id, note ,c,b,a\r\n"
        for (i, row) in table(csv).dropFirst().enumerated() {
            shuffled += "\(i + 100),\"x, y\",\(row[2]), \(row[1]) ,\(row[0])\r\n"
        }
        let path = try BinaryHarness.write(shuffled, to: "shuffled.csv", in: dir)
        let out = dir.appendingPathComponent("predictions.csv").path
        let r = try BinaryHarness.run(["predict", folder, path, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "", "with --out nothing on stdout")
        XCTAssertTrue(r.stderr.contains("wrote 600 predictions to \(out)"), r.stderr)
        XCTAssertEqual(readFile(out), original.stdout)
    }

    func testBadModelsAndInputsGetAClearErrorAndAnExitCode() throws {
        let (dir, _, folder) = try search(Self.csv(classes: 2), Self.spec(target: "kind", trials: 3))
        let data = dir.appendingPathComponent("data.csv").path
        let best = SearchFolder(folder).model(try XCTUnwrap(bestCompleted(folder, count: 1).first))
        let text = readFile(best)
        let truncated = try BinaryHarness.write(String(text.prefix(text.count / 3)), to: "truncated.json", in: dir)
        let newer = try BinaryHarness.write(text.replacingOccurrences(of: "\"version\": 2,", with: "\"version\": 7,"), to: "newer.json", in: dir)
        let shapes = try BinaryHarness.write(text.replacingOccurrences(of: "\"inputs\": 3,", with: "\"inputs\": 4,"), to: "shapes.json", in: dir)
        let csvAsModel = data
        let missing = try BinaryHarness.write("a,c,kind\n1,2,yes\n", to: "missing.csv", in: dir)
        let badCell = try BinaryHarness.write("a,b,c\n1,2,3\n4,x,6\n", to: "bad.csv", in: dir)
        let cases: [([String], Int32, [String])] = [
            (["predict", truncated, data], 65, [truncated, "truncated"]),
            (["predict", newer, data], 65, [newer, "version: 7 is newer than this nnsearch reads (version 2)"]),
            (["predict", shapes, data], 65, [shapes, "network.layers[0].inputs: 4, but the layer before gives 3"]),
            (["predict", csvAsModel, data], 65, [data, "not a model file"]),
            (["predict", dir.appendingPathComponent("none.json").path, data], 66, ["no such model file"]),
            (["predict", best, missing], 65, [missing, "no column \"b\"", "the model reads the columns \"a\", \"b\", \"c\""]),
            (["predict", best, badCell], 65, [badCell + ":3:3: column \"b\": \"x\" is not a number"]),
            (["predict", best, dir.appendingPathComponent("none.csv").path], 66, ["no such CSV file"]),
            (["predict", best], 64, ["usage: nnsearch predict"]),
        ]
        for (args, status, fragments) in cases {
            let r = try BinaryHarness.run(args)
            XCTAssertEqual(r.status, status, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(args): nothing on stdout")
            for fragment in fragments { XCTAssertTrue(r.stderr.contains(fragment), "\(args): \(r.stderr) should say \(fragment)") }
        }
    }
}
