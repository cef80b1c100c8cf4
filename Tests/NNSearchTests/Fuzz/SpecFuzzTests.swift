import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// A seeded mutation fuzzer over specs: valid specs, their values replaced by extreme or wrong
/// ones, keys added, dropped, misspelt or named as other tools name them, the text cut or
/// garbled. Every case must load or be refused with an `NNSearchError` of a reasonable length;
/// a spec that loads must plan its trials, survive the memory check and read back from its own
/// text. A few cases also run `nnsearch init` on the binary (no crash, no hang, a sysexits status).
final class SpecFuzzTests: XCTestCase {
    static let seeds = [
        SpecLoaderTests.contract,
        #"{"version": 1, "data": {"generator": "heart_rate", "rows": 300, "seed": 2}, "space": {"depth": [0, 1], "normalize": ["none", "standardize", "batchnorm"], "epochs": 3}}"#,
        #"{"version": 1, "data": {"generator": "sum_mod", "rows": 200}, "strategy": "random", "trials": 20, "seed": 7, "pruning": {"kind": "hyperband", "eta": 3, "min_epochs": 1},"#
            + #" "space": {"width": {"int_uniform": [4, 64]}, "lr": {"log_uniform": [0.0001, 0.1]}, "dropout": {"uniform": [0, 0.5]}, "epochs": 9, "schedule": ["cosine", "step:3:0.5"]}}"#,
        #"{"version": 1, "name": "csv", "data": {"csv": "data.csv", "target": "y"}, "task": "classification", "metric": "val_loss", "validation": 0.3, "max_memory": "1GB","#
            + #" "space": {"optimizer": ["momentum", "adamw"], "momentum": [0.5, 0.99], "nesterov": [true, false], "weight_decay": 0.001, "batch_size": [4, 1000], "epochs": 2}}"#,
    ]

    static let keys = [
        "version", "name", "data", "validation", "task", "metric", "strategy", "trials", "seed", "workers", "max_seconds",
        "max_memory", "space", "pruning", "generator", "rows", "csv", "target", "kind", "eta", "min_epochs", "uniform",
        "log_uniform", "int_uniform", "step", "gamma", "learning_rate", "units", "n_epochs", "optim", "trails", "lr ", "",
    ] + Hyperparameter.names

    /// Values that sit at, just past or far from the limits, of every type.
    static let values: [JSONValue] = {
        let texts = ["0", "-1", "1", "2", "3", "64", "65", "100", "101", "16384", "16385", "1000000", "1000000000", "10000000000",
                     "9007199254740993", "1e308", "-1e308", "1e-300", "0.5", "0.9", "0.95", "0.96", "0.999999", "0.9999999", "-0.0",
                     "1.5", "18446744073709551616", "1e999"]
        var values = texts.map { text in JSONValue.number(Double(text) ?? .infinity, text: text) }
        values += ["", "adam", "sgd", "momentum", "relu", "selu", "cosine", "constant", "step:10:0.5", "step:0:1", "step:1:11",
                   "step:x:y", "2GB", "1KB", "val_loss", "val_r2", "val_accuracy", "grid", "random", "halving", "hyperband",
                   "classification", "regression", "sum_bin", "heart_rate", "nope.csv", "data.csv", "y", "é\u{0}\n\"\\",
                   String(repeating: "a", count: 20_000)].map(JSONValue.string)
        values += [.bool(true), .bool(false), .null, .array([]), .object([])]
        let fragments = [
            "[1]", "[0.1]", "[1, 2, 3]", "[[1]]", #"{"uniform": [0, 1]}"#, #"{"log_uniform": [0.001, 0.1]}"#, #"{"int_uniform": [1, 4]}"#,
            #"{"uniform": [0.1]}"#, #"{"int_uniform": [5, 1]}"#, #"{"step": 3, "gamma": 0.5}"#, #"{"step": 0}"#, #"{"kind": "halving"}"#,
            #"{"generator": "sum_bin", "rows": 2}"#, #"{"csv": "data.csv", "target": "zz"}"#, #"["adam", "adam"]"#,
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ]
        values += fragments.map { try! parseJSON($0, file: "fragment") }
        return values
    }()

    func testMutatedSpecsLoadOrAreRefusedCleanly() throws {
        let fuzz = Fuzzing("spec")
        let dir = try BinaryHarness.temporaryDirectory(self)
        try BinaryHarness.write("a,b,y\n" + (0..<60).map { "\($0 % 7),\($0 % 3),\($0 % 2)\n" }.joined(), to: "data.csv", in: dir)
        let seeds = try Self.seeds.map { try parseJSON($0, file: "seed") }
        let binaryEvery = max(1, fuzz.cases / max(1, fuzz.binaryCases))
        var loaded = 0, refused = 0
        for i in fuzz.range {
            var random = fuzz.random(case: i)
            var value = random.pick(seeds)
            for _ in 0..<(random.chance(0.6) ? 1 : 2 + random.next(below: 3)) { value = Self.mutate(value, &random, depth: 0) }
            var text = Array((random.chance(0.5) ? value.prettyText() : value.jsonText).utf8)
            if random.chance(0.1) { Self.garble(&text, &random) }
            fuzz.record(case: i, text)
            let started = Date()
            do {
                let spec = try SearchSpec.parse(try parseJSON(String(decoding: text, as: UTF8.self), file: "s.json"),
                                                file: "s.json", baseDirectory: dir.path)
                try check(spec, baseDirectory: dir.path)
                loaded += 1
            } catch let error as NNSearchError {
                refused += 1
                if error.message.isEmpty || error.message.count > 4_000 || ![.usage, .data].contains(error.kind) {
                    XCTFail(fuzz.failure(case: i, "refused with a \(error.kind) error of \(error.message.count) characters: \(error.message.prefix(500))", input: text))
                }
            } catch {
                XCTFail(fuzz.failure(case: i, "threw \(type(of: error)), not an NNSearchError: \(error)", input: text))
            }
            if Date().timeIntervalSince(started) > 10 {
                XCTFail(fuzz.failure(case: i, "took \(Date().timeIntervalSince(started)) s", input: text))
            }
            if i % binaryEvery == 0 && i / binaryEvery < fuzz.binaryCases {
                let spec = dir.appendingPathComponent("case-\(i).json")
                try Data(text).write(to: spec)
                try fuzz.runBinary(self, ["init", spec.path, "--out", dir.appendingPathComponent("out-\(i)").path],
                                   case: i, input: text, log: dir.appendingPathComponent("case-\(i).log").path)
            }
        }
        print("spec fuzz: \(fuzz.cases) cases from seed \(fuzz.seed): \(loaded) loaded, \(refused) refused; \(min(fuzz.binaryCases, fuzz.cases)) run on the binary")
        guard fuzz.range.count == fuzz.cases else { return }
        XCTAssertGreaterThan(loaded, fuzz.cases / 20, "the mutations should leave some specs valid (\(loaded) loaded, \(refused) refused)")
        XCTAssertGreaterThan(refused, fuzz.cases / 20, "and refuse others (\(loaded) loaded, \(refused) refused)")
        try? FileManager.default.removeItem(at: fuzz.lastCase)
    }

    /// What a spec that loads must also do: plan its trials, size its largest configuration, and
    /// read back from its own text unchanged.
    private func check(_ spec: SearchSpec, baseDirectory: String) throws {
        let plan = TrialPlan(spec: spec)
        XCTAssertGreaterThan(plan.count, 0)
        for n in Set([0, plan.count - 1, plan.count / 2]) { _ = plan.trial(n) }
        if let pruning = spec.pruning {
            _ = RungSchedule(pruning: pruning, spec: spec, plan: plan, metric: spec.metric ?? .valAccuracy)
        }
        let shape = DataShape(features: 3, outputs: 3, trainRows: 1_000, loadBytes: 0)
        _ = spec.largestConfiguration(shape)
        do {
            try spec.checkMemory(shape: shape, workers: 4, budget: MemoryBudget(bytes: 1 << 30, statement: "fuzz"))
        } catch let error as NNSearchError where error.kind == .usage {}
        let again = try SearchSpec.parse(try parseJSON(spec.source.prettyText(), file: "s.json"), file: "s.json", baseDirectory: baseDirectory)
        XCTAssertEqual(spec.differences(from: again), [])
    }

    // MARK: - Mutations

    /// `value` with one change somewhere inside it.
    static func mutate(_ value: JSONValue, _ random: inout Random, depth: Int) -> JSONValue {
        if depth > 0 && random.chance(0.25) { return random.pick(values) }
        switch value {
        case .object(var members):
            switch random.next(below: 6) {
            case 0 where !members.isEmpty:
                members.remove(at: random.next(below: members.count))
            case 1:
                let key = random.pick(keys)
                if !members.contains(where: { $0.key == key }) {
                    members.insert(JSONMember(key: key, value: random.pick(values)), at: random.next(below: members.count + 1))
                }
            case 2 where !members.isEmpty:
                let i = random.next(below: members.count), key = random.pick(keys)
                if !members.contains(where: { $0.key == key }) { members[i].key = key }
            default:
                guard !members.isEmpty else { return .object([JSONMember(key: random.pick(keys), value: random.pick(values))]) }
                let i = random.next(below: members.count)
                members[i].value = mutate(members[i].value, &random, depth: depth + 1)
            }
            return .object(members)
        case .array(var items):
            switch random.next(below: 4) {
            case 0 where !items.isEmpty: items.remove(at: random.next(below: items.count))
            case 1: items.append(items.isEmpty || random.chance(0.5) ? random.pick(values) : random.pick(items))
            default:
                guard !items.isEmpty else { return .array([random.pick(values)]) }
                let i = random.next(below: items.count)
                items[i] = mutate(items[i], &random, depth: depth + 1)
            }
            return .array(items)
        default:
            return random.pick(values)
        }
    }

    /// Byte-level damage: a byte dropped, inserted or changed, a cut, a slice repeated.
    static func garble(_ text: inout [UInt8], _ random: inout Random) {
        let alphabet = Array("{}[]:,\"\\ 0123456789.-eE\ntrufalsn".utf8) + [0, 0xFF, 0xC3]
        for _ in 0..<(1 + random.next(below: 3)) where !text.isEmpty {
            let at = random.next(below: text.count)
            switch random.next(below: 5) {
            case 0: text.remove(at: at)
            case 1: text.insert(random.pick(alphabet), at: at)
            case 2: text[at] = random.pick(alphabet)
            case 3: text.removeSubrange(at...)
            default: text.insert(contentsOf: text[at..<min(text.count, at + 1 + random.next(below: 40))], at: at)
            }
        }
    }
}
