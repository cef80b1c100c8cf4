import XCTest
@testable import NNSearchCLI

final class AnchorsTests: XCTestCase {
    /// The benchmark reads the anchors' figures from the `key=value` words of their last line.
    func testFieldsOfTheLastLine() {
        let seedExact = "[1] loss: 1.099\n[2] loss: 1.098\nseed_exact label=bin epochs=5 steps=10000 seconds=7.29 us_per_step=728.5\n"
        XCTAssertEqual(Anchors.fields(seedExact)["us_per_step"], "728.5")
        XCTAssertEqual(Anchors.fields(seedExact)["steps"], "10000")
        let optuna = "optuna+torch sampler=random prob=bin trials=40 jobs=2 epochs=20 seconds=42.8 best_val=0.9975 best={'depth': 2, 'lr': 0.01}"
        XCTAssertEqual(Anchors.fields(optuna)["seconds"], "42.8")
        XCTAssertEqual(Anchors.fields(optuna)["best_val"], "0.9975")
        XCTAssertNil(Anchors.fields("us_per_step=1\nTraceback (most recent call last):")["us_per_step"], "only the last line counts")
        XCTAssertTrue(Anchors.fields("").isEmpty)
    }

    /// `optuna_nnsearch.py` prints each trial's score by trial number; `nan` is a diverged trial's.
    func testValuesField() throws {
        let line = "optuna+nnsearch sampler=tpe prob=friedman trials=3 jobs=2 epochs=20 seed=0 seconds=1.5 best_val=0.9500"
            + " best_trial_index=2 diverged=1 values=0.91,nan,0.95 best={\"depth\":2}"
        let values = try XCTUnwrap(Anchors.fields(line)["values"].flatMap(Anchors.values))
        XCTAssertEqual(values.count, 3)
        XCTAssertEqual(values[0], 0.91)
        XCTAssertTrue(values[1].isNaN)
        XCTAssertEqual(values[2], 0.95)
        XCTAssertNil(Anchors.values("0.9,,0.8"), "an empty value is not a score")
        XCTAssertNil(Anchors.values("0.9,x"))
    }

    /// A sampler's trials to reach random's best count by trial number, and its best within the budget leaves diverged trials out.
    func testTrialsToReachAndBestWithin() {
        let metrics: [Double] = [0.5, .nan, 0.9, 0.95, 0.97]
        XCTAssertEqual(Benchmark.trialsToReach(metrics, target: 0.95), 4)
        XCTAssertEqual(Benchmark.trialsToReach(metrics, target: 0.5), 1)
        XCTAssertEqual(Benchmark.trialsToReach(metrics, target: 0.99), Benchmark.randomTrials + 1)
        XCTAssertEqual(Benchmark.reachedText(Benchmark.randomTrials + 1), ">\(Benchmark.randomTrials)")
        XCTAssertEqual(Benchmark.reachedText(4), "4")
        XCTAssertEqual(Benchmark.best(metrics, within: 2), 0.5)
        XCTAssertEqual(Benchmark.best(metrics, within: 40), 0.97)
        XCTAssertEqual(Benchmark.best([.nan], within: 40), -.infinity)
        // Past random's trials nothing counts: a sampler's trial 100 (the 101st) does not reach.
        let late = [Double](repeating: 0, count: Benchmark.randomTrials) + [1]
        XCTAssertEqual(Benchmark.trialsToReach(late, target: 1), Benchmark.randomTrials + 1)
    }

    /// A script's last line comes back as fields; one still running at the timeout is stopped and
    /// reported, and the benchmark goes on (here with /bin/sh standing in for the anchors' Python).
    func testRunReadsTheLastLineAndStopsAScriptAtItsTimeout() throws {
        let folder = NSTemporaryDirectory() + "nnsearch-anchors-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "echo starting\necho \"x=1 y=two\"\n".write(toFile: folder + "/ok.sh", atomically: true, encoding: .utf8)
        try "echo starting\nsleep 30\necho x=1\n".write(toFile: folder + "/hang.sh", atomically: true, encoding: .utf8)
        let anchors = Anchors(python: "/bin/sh", folder: folder)
        var lines: [String] = []
        XCTAssertEqual(anchors.run("ok.sh", [], print: { lines.append($0) }), ["x": "1", "y": "two"])
        XCTAssertEqual(lines, [])
        let t0 = Date()
        XCTAssertNil(anchors.run("hang.sh", [], timeout: 0.5, print: { lines.append($0) }))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 10, "stopped at its timeout, not after its 30 s")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines.first?.contains("was still running after 0 s: stopped") == true, lines.first ?? "")
    }
}
