import Foundation
import XCTest
@testable import NNSearch

/// `nnsearch explain` and `watch` end to end on the built binary: the findings the issue names, on
/// searches built to show them.
final class ExplainCommandTests: XCTestCase {
    private func run(_ spec: String, name: String, in dir: URL) throws -> String {
        let path = try BinaryHarness.write(spec, to: "\(name).json", in: dir)
        let r = try BinaryHarness.run(["start", path, "--foreground"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir.appendingPathComponent(name).path
    }

    /// The heart-rate report: normalization decides everything, and explain says to standardize.
    func testHeartRateNamesNormalizeAndSaysToStandardize() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try String(contentsOfFile: "searches/heart_rate.json", encoding: .utf8)
        let folder = try run(spec, name: "heart", in: dir)
        let results = try SearchResults(SearchFolder(folder))
        XCTAssertEqual(results.trials.count, 12)
        let explanation = Explanation(results)
        XCTAssertEqual(explanation.factors.first?.name, "normalize", "\(explanation.factors.map { ($0.name, $0.importance ?? -1) })")
        XCTAssertGreaterThan(explanation.factors.first?.importance ?? 0, 0.5)

        let r = try BinaryHarness.run(["explain", folder, "--next", dir.appendingPathComponent("next.json").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("trials with normalize=none stayed at chance"), r.stdout)
        XCTAssertTrue(r.stdout.contains("standardize your inputs"), r.stdout)
        XCTAssertTrue(r.stdout.contains("normalize matters most"), r.stdout)
        // The next spec narrows the space around what worked, and runs.
        let next = try SearchSpec.load(path: dir.appendingPathComponent("next.json").path)
        let normalize = next.space.first { $0.name == "normalize" }!
        XCTAssertFalse(normalize.entry.gridValues.contains(.name("none")), "\(normalize.entry)")
        let again = try BinaryHarness.run(["start", dir.appendingPathComponent("next.json").path, "--foreground"])
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    /// A net that fits its few training rows while validation stays at chance: explain says it memorizes.
    /// (Learning rates 0.001 and 0.003: both end near 0.55–0.65 training accuracy; 0.01 ends near 0.46,
    /// at the diagnosis' edge, where a change in the last bit of Adam's square root tipped it.)
    func testMemorizingSearchSaysNoConfigurationBeatsChance() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let folder = try run(#"""
            {"version": 1, "data": {"generator": "sum_mod", "rows": 400, "seed": 0}, "seed": 1, "strategy": "grid",
             "space": {"depth": 3, "width": 128, "lr": [0.001, 0.003], "optimizer": "adam", "normalize": "standardize",
                       "batch_size": 16, "epochs": 150}}
            """#, name: "mod", in: dir)
        let r = try BinaryHarness.run(["explain", folder])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("fits the training set (training accuracy up to"), r.stdout)
        XCTAssertTrue(r.stdout.contains("memorizes"), r.stdout)
        XCTAssertTrue(r.stdout.contains("always predicting the most frequent class scores"), r.stdout)
        let results = try SearchResults(SearchFolder(folder))
        XCTAssertTrue(results.trials.allSatisfy { $0.diagnosis == .overfit }, "\(results.trials.map { ($0.number, $0.diagnosis as Any) })")
    }

    /// Raw inputs up to 100 with plain SGD: every learning rate from 0.001 up diverges, none below does.
    func testDivergingLearningRatesAreNamed() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let csv = "x,y\n" + (0..<200).map { "\($0 / 2),\(3 * ($0 / 2) + 1)" }.joined(separator: "\n")
        try BinaryHarness.write(csv, to: "line.csv", in: dir)
        let folder = try run(#"""
            {"version": 1, "data": {"csv": "line.csv", "target": "y"}, "task": "regression", "strategy": "grid",
             "space": {"depth": 0, "optimizer": "sgd", "lr": [0.00001, 0.00003, 0.0001, 0.001, 0.01, 0.1], "batch_size": [8, 16], "epochs": 10}}
            """#, name: "line", in: dir)
        let r = try BinaryHarness.run(["explain", folder])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("lr ≥ 0.001 diverged in 6 of 6 trials (against 0 of 6 below): lower the learning rate."), r.stdout)
        XCTAssertTrue(r.stdout.contains("diverged 6"), "the diagnosis counts: \(r.stdout)")
    }

    /// The read model gives the leaderboard's ranking and each trial's curve.
    func testResultsAgreeWithTheViews() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let folder = try run(#"""
            {"version": 1, "data": {"generator": "sum_bin", "rows": 500}, "strategy": "random", "trials": 8, "seed": 3,
             "space": {"depth": [1, 2], "lr": {"log_uniform": [0.001, 0.1]}, "epochs": 6, "normalize": ["none", "standardize"]}}
            """#, name: "bin", in: dir)
        let results = try SearchResults(SearchFolder(folder))
        let board = try String(contentsOfFile: folder + "/leaderboard.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(results.ranked.map(\.number), board.map { Int($0.split(separator: ",")[1])! })
        for t in results.trials {
            let curve = results.curve(t.number)
            XCTAssertEqual(curve.count, t.epochs)
            XCTAssertEqual(curve.last?.valMetric, t.valMetric)
            XCTAssertEqual(curve.last?.trainMetric, t.trainMetric)
            XCTAssertEqual(results.plan.trial(t.number).values, t.values)
            XCTAssertEqual(Diagnosis.of(curve, diverged: t.status == .diverged, chance: results.columns.chance), t.diagnosis)
        }
    }

    /// `watch` on a search running detached: plain blocks while it runs (not a terminal), then the
    /// final view, and it ends by itself; on a finished search it shows the view once.
    func testWatchFollowsARunningSearchUntilItEnds() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let path = try BinaryHarness.write(#"""
            {"version": 1, "data": {"generator": "sum_bin", "rows": 1000}, "strategy": "random", "trials": 40, "seed": 1, "workers": 1,
             "space": {"depth": 2, "width": 32, "lr": {"log_uniform": [0.001, 0.01]}, "epochs": 20, "batch_size": 8}}
            """#, to: "w.json", in: dir)
        let folder = dir.appendingPathComponent("w").path
        let start = try BinaryHarness.run(["start", path])
        XCTAssertEqual(start.status, 0, start.stderr)
        XCTAssertTrue(start.stdout.contains("nnsearch watch \(folder)"), start.stdout)
        addTeardownBlock { _ = try? BinaryHarness.run(["stop", folder]) }
        let watch = try BinaryHarness.run(["watch", folder, "--interval", "0.1"])
        XCTAssertEqual(watch.status, 0, watch.stderr)
        XCTAssertTrue(watch.stdout.contains("running ·"), "it saw the search running: \(watch.stdout.prefix(500))")
        XCTAssertTrue(watch.stdout.hasSuffix("finished; why: nnsearch explain \(folder)\n\n"), String(watch.stdout.suffix(300)))
        XCTAssertTrue(watch.stdout.contains("40/40 trials"))
        // The workers kept report.html fresh; the last one to leave wrote it once more after leaving
        // (watch ends at the leave): once it has exited, the page has every trial and every section.
        BinaryHarness.waitUntilExited(folder)
        let page = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        XCTAssertTrue(page.contains("40/40 trials"), String(page.prefix(2000)))
        for id in ReportPage.sectionIDs { XCTAssertTrue(page.contains("id=\"\(id)\""), id) }
        let report = try BinaryHarness.run(["report", folder, "--out", dir.appendingPathComponent("r.html").path])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(try String(contentsOfFile: dir.appendingPathComponent("r.html").path, encoding: .utf8).contains("40/40 trials"))
        let once = try BinaryHarness.run(["watch", folder])
        XCTAssertEqual(once.status, 0)
        XCTAssertTrue(once.stdout.contains(": finished · 40/40 trials"), once.stdout)
        let best = try SearchResults(SearchFolder(folder)).best!
        XCTAssertTrue(once.stdout.contains("best so far: trial \(best.number),"), once.stdout)
    }
}
