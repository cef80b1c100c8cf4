import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// TPE on the built binary: the same files for any number of worker threads and processes, and
/// after kill -9 and resume — its trials learn from earlier results, never from arrival order.
final class TPESearchTests: XCTestCase {
    /// 36 trials of 6 epochs on sum_bin; trial n learns from trials below n − 3 after 6 random ones.
    private static let spec = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 1500, "seed": 3}, "strategy": "tpe", "trials": 36,
         "startup": 6, "lag": 3, "seed": 5,
         "space": {"depth": {"int_uniform": [1, 3]}, "width": [8, 32, 64], "lr": {"log_uniform": [0.0005, 0.3]},
                   "optimizer": ["sgd", "momentum", "adam"], "dropout": {"uniform": [0, 0.3]}, "batch_size": [16, 64],
                   "epochs": 6, "normalize": "standardize"}}
        """#
    private static let trials = 36

    func testTPEIsTheSameForAnyWorkersAndProcesses() throws {
        let (dir, specPath, reference) = try referenceRun(Self.spec)
        // The trials after the random ones are TPE's, not random search's.
        let random = dir.appendingPathComponent("random").path
        let randomSpec = try BinaryHarness.write(Self.spec.replacingOccurrences(of: #""tpe""#, with: #""random""#)
            .replacingOccurrences(of: #""startup": 6, "lag": 3, "#, with: ""), to: "random.json", in: dir)
        XCTAssertEqual(try BinaryHarness.run(["start", randomSpec, "--foreground", "--workers", "2", "--out", random]).status, 0)
        let tpeRows = Set(withoutSeconds(readFile(reference + "/trials.csv")).dropFirst())
        let randomRows = Set(withoutSeconds(readFile(random + "/trials.csv")).dropFirst())
        XCTAssertEqual(tpeRows.filter { Int($0.prefix { $0 != "," }).map { $0 < 6 } ?? false },
                       randomRows.filter { Int($0.prefix { $0 != "," }).map { $0 < 6 } ?? false }, "the 6 startup trials are random draws")
        XCTAssertEqual(tpeRows.intersection(randomRows).count, 6, "the others are TPE's own")

        let two = dir.appendingPathComponent("two").path
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two]).status, 0)
        assertSameResults(two, as: reference, trials: Self.trials)
        XCTAssertEqual(try SearchSpec.load(path: two + "/spec.json").source["multivariate"], .bool(true),
                       "the folder's copy names the sampler, so a later default cannot change it")

        let processes = dir.appendingPathComponent("processes").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", processes]).status, 0)
        try runWorkerProcesses(processes, threads: [2, 1])
        let s = try SearchSnapshot(SearchFolder(processes))
        XCTAssertEqual(s.phase, .finished)
        XCTAssertEqual(Set(s.state.finished.values.map(\.process)).count, 2, "both processes recorded results")
        assertSameResults(processes, as: reference, trials: Self.trials)
    }

    /// The independent sampler (`"multivariate": false`): the same files for 1 and 2 workers too,
    /// and other trials than the joint sampler's once it models.
    func testTheIndependentSamplerIsTheSameForAnyWorkers() throws {
        let spec = Self.spec.replacingOccurrences(of: #""lag": 3, "#, with: #""lag": 3, "multivariate": false, "#)
        let (dir, specPath, reference) = try referenceRun(spec)
        let two = dir.appendingPathComponent("two").path
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two]).status, 0)
        assertSameResults(two, as: reference, trials: Self.trials)
        let joint = dir.appendingPathComponent("joint").path
        let jointSpec = try BinaryHarness.write(Self.spec, to: "joint.json", in: dir)
        XCTAssertEqual(try BinaryHarness.run(["start", jointSpec, "--foreground", "--workers", "2", "--out", joint]).status, 0)
        let independentRows = Set(withoutSeconds(readFile(reference + "/trials.csv")).dropFirst())
        let jointRows = Set(withoutSeconds(readFile(joint + "/trials.csv")).dropFirst())
        // Trials 6–8 are the prior's draws in both (no result is in for them yet: lag 3).
        XCTAssertEqual(independentRows.intersection(jointRows).count, 9, "only the 6 startup trials and the next 3 are shared")
    }

    /// A folder written before the key existed (its spec copy without "multivariate") resumes, from
    /// the unchanged spec file, with the independent sampler it started with.
    func testAFolderFromBeforeTheKeyResumesIndependently() throws {
        let independentSpec = Self.spec.replacingOccurrences(of: #""lag": 3, "#, with: #""lag": 3, "multivariate": false, "#)
        let (dir, _, reference) = try referenceRun(independentSpec)
        let legacy = dir.appendingPathComponent("legacy")
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        let specPath = try BinaryHarness.write(Self.spec, to: "s.json", in: legacy)   // the same name as the reference's
        let folder = dir.appendingPathComponent("old").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let copy = try parseJSON(readFile(folder + "/spec.json"), file: "spec.json")
        XCTAssertEqual(copy["multivariate"], .bool(true), "the copy names the sampler")
        try Data(copy.removing("multivariate").prettyText().utf8).write(to: URL(fileURLWithPath: folder + "/spec.json"))
        let run = try BinaryHarness.run(["resume", folder, "--foreground", "--workers", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        assertSameResults(folder, as: reference, trials: Self.trials)
    }

    /// Killed at random moments with 1 or 2 threads, then resumed: the same files. Twice the
    /// trials on twice the rows, so that the kills land inside the search on a fast machine too.
    func testKillNineAndResumeEndAsIfUninterrupted() throws {
        let trials = 72
        let spec = Self.spec.replacingOccurrences(of: #""trials": 36"#, with: #""trials": \#(trials)"#)
            .replacingOccurrences(of: #""rows": 1500"#, with: #""rows": 3000"#)
        let (dir, specPath, reference) = try referenceRun(spec)
        let folder = dir.appendingPathComponent("killed").path
        addTeardownBlock { for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) } }
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let (kills, runs) = try killNineAndResume(folder, seed: 17, kills: 8, lines: 8, jitter: 3_000)
        XCTAssertGreaterThanOrEqual(kills, 6, "\(runs) runs")
        let last = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(last.status, 0, last.stderr)
        assertSameResults(folder, as: reference, trials: trials)
    }

    func testTPEWithPruningIsRefusedAtInitWithExit64() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let bad = Self.spec.replacingOccurrences(of: #""seed": 5,"#, with: #""seed": 5, "pruning": {"kind": "halving"},"#)
        let r = try BinaryHarness.run(["init", try BinaryHarness.write(bad, to: "bad.json", in: dir)])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains(#"pruning: cannot be combined with "strategy": "tpe" yet"#), r.stderr)
    }
}
