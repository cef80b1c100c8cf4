import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Interrupted searches end exactly as if they had never stopped (on the built binary).
final class ResumeTests: XCTestCase {
    /// ~30 trials of a few epochs with state worth restoring: momentum/Adam moments, batch norm, dropout.
    private let spec = #"""
    {"version": 1, "data": {"generator": "sum_mod", "rows": 2000, "seed": 2}, "strategy": "random", "trials": 30, "seed": 5,
     "workers": 2,
     "space": {"depth": {"int_uniform": [1, 3]}, "width": [16, 32, 48], "lr": {"log_uniform": [0.001, 0.05]},
               "optimizer": ["momentum", "adam", "adamw"], "schedule": ["cosine", {"step": 3, "gamma": 0.5}],
               "batch_size": [8, 16], "epochs": 12, "normalize": ["standardize", "batchnorm"], "dropout": [0, 0.1]}}
    """#

    /// Runs the spec uninterrupted in `name` and returns the folder.
    private func reference(_ dir: URL, _ specPath: String) throws -> String {
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--out", dir.appendingPathComponent("reference").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir.appendingPathComponent("reference").path
    }

    /// Writes the spec to a fresh directory and runs it uninterrupted; returns the spec's path, the
    /// reference folder, and the folder `start` will use for the interrupted run.
    private func searchWithReference() throws -> (spec: String, reference: String, folder: String) {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        return (specPath, try reference(dir, specPath), dir.appendingPathComponent("s").path)
    }

    /// The final files of `folder` equal the reference's, minus `seconds`; trials.csv is whole and has no duplicates.
    private func assertSameResults(_ folder: String, as reference: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(withoutSeconds(readFile(folder + "/leaderboard.csv")), withoutSeconds(readFile(reference + "/leaderboard.csv")),
                       "leaderboard", file: file, line: line)
        for n in 0..<30 {
            let curve = "/curves/trial-" + SearchFolder.paddedNumber(n) + ".csv"
            XCTAssertEqual(readFile(folder + curve), readFile(reference + curve), "curve \(n)", file: file, line: line)
        }
        let trials = readFile(folder + "/trials.csv")
        XCTAssertTrue(trials.hasSuffix("\n"), "no torn last line", file: file, line: line)
        let rows = withoutSeconds(trials)
        XCTAssertEqual(rows.first, withoutSeconds(readFile(reference + "/trials.csv")).first, "one header", file: file, line: line)
        XCTAssertEqual(rows.count, 31, "30 rows and the header", file: file, line: line)
        XCTAssertEqual(Set(rows.dropFirst()), Set(withoutSeconds(readFile(reference + "/trials.csv")).dropFirst()), file: file, line: line)
        let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []
        XCTAssertEqual(checkpoints, [], "finished trials leave no checkpoint", file: file, line: line)
        assertKeptModels(folder, as: reference, file: file, line: line)
    }

    private func waitUntilIdle(_ folder: String) { BinaryHarness.waitUntilIdle(folder) }

    func testKillNineAtManyMomentsThenResume() throws {
        let (specPath, ref, folder) = try searchWithReference()
        addTeardownBlock { for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) } }

        // Exact moments first: inside a leaderboard rewrite, a checkpoint write, between a row and
        // its checkpoint's removal, inside a progress write; then random moments.
        let faults = ["kill:rename:leaderboard.csv:2", "kill:rename:checkpoint:3", "kill:appended:trials.csv:2", "kill:appended:journal:5", "kill:append:journal:9",
                      "kill:rename:progress.json:2", "kill:append:trials.csv:3"]
        var random = Random(seed: 12)
        var kills = 0, runs = 0
        var first = true
        while (try? SearchSnapshot(SearchFolder(folder)).phase) != .finished && runs < 80 {
            runs += 1
            var env = ProcessInfo.processInfo.environment
            let fault = runs <= faults.count ? faults[runs - 1] : nil
            if let fault { env["NNSEARCH_FAULT"] = fault } else { env["NNSEARCH_FAULT"] = nil }
            let workers = String(1 + runs % 2)
            let r = first
                ? try BinaryHarness.run(["start", specPath, "--workers", workers], environment: env)
                : try BinaryHarness.run(["resume", folder, "--workers", workers], environment: env)
            first = false
            XCTAssertTrue(r.status == 0 || r.stderr.contains("exited at once"), r.stderr)
            if let fault {
                waitUntilIdle(folder)   // the fault kills it
                XCTAssertNotEqual(try? SearchSnapshot(SearchFolder(folder)).phase, .finished,
                                  "\(fault) never fired: \(r.stdout) \(r.stderr) \(readFile(folder + "/search.log"))")
                kills += 1
                continue
            }
            usleep(UInt32(300 + random.next(below: 4_000)))
            if let pid = BinaryHarness.workerPids(folder).first {
                kill(pid, SIGKILL)
                kills += 1
            }
            waitUntilIdle(folder)
            if kills >= 25 { break }
        }
        let status = try BinaryHarness.run(["status", folder])
        if !status.stdout.contains("state: finished") {
            XCTAssertTrue(status.stdout.contains("state: interrupted, not running"), status.stdout)
            XCTAssertTrue(status.stdout.contains("resume with: nnsearch resume"), status.stdout)
        }
        XCTAssertGreaterThanOrEqual(kills, 20, "\(runs) runs")
        // Finish without interruption.
        let last = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(last.status, 0, last.stderr)
        assertSameResults(folder, as: ref)
    }

    func testGracefulStopThenResumeWithOtherWorkerCount() throws {
        let (specPath, ref, folder) = try searchWithReference()
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--workers", "2"]).status, 0)
        let deadline = Date().addingTimeInterval(30)
        while readFile(folder + "/trials.csv").split(separator: "\n").count < 6 && Date() < deadline { usleep(5_000) }
        let stop = try BinaryHarness.run(["stop", folder])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("state: stopped"), status.stdout)
        let resumed = try BinaryHarness.run(["resume", folder, "--workers", "1", "--foreground"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("to run on 1 worker"), resumed.stdout)
        assertSameResults(folder, as: ref)
        let again = try BinaryHarness.run(["resume", folder])
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stdout.contains("nothing to resume"), again.stdout)
    }

    func testDiskFullStopsResumablyAndDamagesNothing() throws {
        let (specPath, ref, folder) = try searchWithReference()
        var env = ProcessInfo.processInfo.environment
        env["NNSEARCH_FAULT"] = "enospc:append:trials.csv:4"
        let full = try BinaryHarness.run(["start", specPath, "--foreground"], environment: env)
        XCTAssertEqual(full.status, 74, full.stderr)
        XCTAssertTrue(full.stderr.contains("No space left on device"), full.stderr)
        // The fourth result reached the journal before its row failed to append: on the way out the
        // worker rebuilt trials.csv from the journal, so the view holds every recorded trial, whole.
        let text = readFile(folder + "/trials.csv")
        XCTAssertTrue(text.hasSuffix("\n"))
        let rows = text.split(separator: "\n")
        XCTAssertEqual(rows.count - 1, try SearchSnapshot(SearchFolder(folder)).state.doneCount, "trials.csv matches the journal")
        XCTAssertGreaterThanOrEqual(rows.count - 1, 3)
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("state: failed"), status.stdout)
        env["NNSEARCH_FAULT"] = "enospc:rename:checkpoint:2"
        let full2 = try BinaryHarness.run(["resume", folder, "--foreground"], environment: env)
        XCTAssertEqual(full2.status, 74, full2.stderr)
        let done = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(done.status, 0, done.stderr)
        assertSameResults(folder, as: ref)
    }

    func testDamagedCheckpointRestartsThatTrial() throws {
        let (specPath, ref, folder) = try searchWithReference()
        var env = ProcessInfo.processInfo.environment
        // Killed just after a checkpoint reached the disk: its trial is unfinished, its file whole.
        env["NNSEARCH_FAULT"] = "kill:renamed:checkpoint:3"
        _ = try BinaryHarness.run(["start", specPath, "--foreground"], environment: env)
        let checkpoints = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []).filter { $0.hasSuffix(".ckpt") }
        XCTAssertFalse(checkpoints.isEmpty)
        for (i, name) in checkpoints.enumerated() {
            let path = folder + "/checkpoints/" + name
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try (i % 2 == 0 ? bytes.prefix(bytes.count / 2) : Data(repeating: 7, count: 100)).write(to: URL(fileURLWithPath: path))
        }
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("damaged: restarts"), status.stdout)
        let resumed = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("cannot be used"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("restarts from its first epoch"), resumed.stderr)
        assertSameResults(folder, as: ref)
    }

    func testChangedSpecIsRefusedUnlessForced() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        let folder = dir.appendingPathComponent("s").path
        var env = ProcessInfo.processInfo.environment
        env["NNSEARCH_FAULT"] = "kill:appended:trials.csv:3"
        _ = try BinaryHarness.run(["start", specPath, "--foreground"], environment: env)
        try BinaryHarness.write(spec.replacingOccurrences(of: #""epochs": 12"#, with: #""epochs": 9"#)
                                    .replacingOccurrences(of: #""seed": 5"#, with: #""seed": 6"#), to: "s.json", in: dir)
        let refused = try BinaryHarness.run(["resume", folder])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("space.epochs: 12 → 9"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("seed: 5 → 6"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        let forced = try BinaryHarness.run(["resume", folder, "--force", "--foreground"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stdout.contains("search finished: 30/30"), forced.stdout)
        // The folder's copy was run: epochs stayed 12.
        XCTAssertTrue(readFile(folder + "/curves/trial-0000.csv").split(separator: "\n").count == 13)
    }
}
