import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Cross-validated searches on the built binary: the same files for any worker count and after
/// kill -9 inside a later fold; `train` over folds; folds with pruning refused.
final class CrossValidationTests: XCTestCase {
    /// 8 trials × 4 folds × 2 repeats × 5 epochs on 1,500 rows (≈ 2 s on one thread), with state
    /// worth restoring (Adam and momentum, batch norm, dropout).
    static let spec = #"""
    {"version": 1, "data": {"generator": "sum_bin", "rows": 1500, "seed": 3}, "validation": {"folds": 4, "repeats": 2},
     "strategy": "random", "trials": 8, "seed": 11, "workers": 2,
     "space": {"depth": [1, 2], "width": [16, 48], "lr": {"log_uniform": [0.001, 0.05]}, "optimizer": ["momentum", "adam"],
               "batch_size": [8, 16], "epochs": 5, "normalize": ["standardize", "batchnorm"], "dropout": [0, 0.1]}}
    """#
    static let trials = 8, rounds = 8, epochs = 5

    func testTheSameFilesForOneAndTwoWorkers() throws {
        let (dir, specPath, reference) = try referenceRun(Self.spec)
        let two = dir.appendingPathComponent("two").path
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two])
        XCTAssertEqual(r.status, 0, r.stderr)
        assertSameResults(two, as: reference, trials: Self.trials, keep: 0)

        // The rows: the metric columns, then the folds' standard deviations, then seconds.
        let lines = readFile(reference + "/trials.csv").split(separator: "\n")
        XCTAssertTrue(lines[0].hasSuffix(",dropout,epochs_run,train_loss,val_loss,train_accuracy,val_accuracy,val_accuracy_std,val_loss_std,seconds"),
                      String(lines[0]))
        let header = lines[0].split(separator: ",").map(String.init)
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f.count, header.count)
            let std = Double(f[header.firstIndex(of: "val_accuracy_std")!])!, lossStd = Double(f[header.firstIndex(of: "val_loss_std")!])!
            XCTAssertTrue(std > 0 && std < 0.5 && lossStd > 0, String(line))
            // The row's figures are the last epoch of the curve: each epoch's mean over the folds.
            let trial = SearchFolder.paddedNumber(Int(f[0])!)
            let last = readFile(reference + "/curves/trial-\(trial).csv").split(separator: "\n").last!.split(separator: ",").map(String.init)
            XCTAssertEqual(Array(f[(header.count - 8)...].prefix(5)), [last[0]] + Array(last[2...]), "trial \(trial)")
        }
        // Claims count a trial's epochs across its rounds: 4 folds × 2 repeats × 5 epochs.
        let entries = try JournalFile(directory: reference, create: false).read(from: 0).entries
        let claims = entries.compactMap { e -> Int? in if case .claim(_, _, let upTo, _) = e.record { return upTo }; return nil }
        XCTAssertEqual(claims, [Int](repeating: Self.rounds * Self.epochs, count: Self.trials))
        // The read model takes the standard deviations in; explain names the folds.
        let results = try SearchResults(SearchFolder(reference))
        XCTAssertEqual(results.trials.count, Self.trials)
        XCTAssertEqual(results.unreadable, [])
        XCTAssertTrue(results.trials.allSatisfy { $0.valMetricStd > 0 })
        let explain = try BinaryHarness.run(["explain", reference])
        XCTAssertEqual(explain.status, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("(mean over 4 folds × 2 repeats, standard deviation"), explain.stdout)
    }

    /// Killed at checkpoints written inside later folds (and at other moments), with 1 or 2
    /// threads, then resumed: the same files as an uninterrupted run. After the kills, `status`
    /// says which fold a checkpoint holds.
    func testKillNineInsideALaterFoldThenResumeEndsAsIfUninterrupted() throws {
        let (dir, specPath, reference) = try referenceRun(Self.spec)
        let folder = dir.appendingPathComponent("killed").path
        addTeardownBlock { for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) } }
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let faults: [String?] = ["kill:renamed:checkpoint:2", "kill:renamed:checkpoint:1", "kill:rename:checkpoint:2", nil,
                                 "kill:renamed:checkpoint:3", "kill:appended:journal:4", nil, "kill:appended:trials.csv:1", nil]
        var random = Random(seed: 5)
        var insideLaterFold = 0, kills = 0, runs = 0, statusChecked = false
        while (try? SearchSnapshot(SearchFolder(folder)).phase) != .finished && runs < 30 && kills < 12 {
            runs += 1
            var env = ProcessInfo.processInfo.environment
            let fault = runs <= faults.count ? faults[runs - 1] : nil
            env["NNSEARCH_FAULT"] = fault
            let r = try BinaryHarness.run(["resume", folder, "--workers", String(1 + runs % 2)], environment: env)
            XCTAssertTrue(r.status == 0 || r.stderr.contains("exited at once"), r.stderr)
            if fault == nil {
                usleep(UInt32(50_000 + random.next(below: 200_000)))
                for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) }
            }
            BinaryHarness.waitUntilIdle(folder)
            guard try SearchSnapshot(SearchFolder(folder)).phase != .finished else { break }
            kills += 1
            // Checkpoints strictly inside a round after the first: not at a fold's boundary.
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []).filter { $0.hasSuffix(".ckpt") }
            for name in names {
                guard let bytes = FileManager.default.contents(atPath: folder + "/checkpoints/" + name),
                      let summary = try? TrainingCheckpoint.peek(bytes) else { continue }
                XCTAssertEqual(summary.rounds, Self.rounds, name)
                XCTAssertEqual(summary.round, summary.epochs / Self.epochs, name)
                if summary.round >= 1 && summary.epochs % Self.epochs != 0 {
                    insideLaterFold += 1
                    if !statusChecked {
                        let status = try BinaryHarness.run(["status", folder])
                        let cv = CrossValidation(folds: 4, repeats: 2)
                        let trial = Int(name.dropFirst(6).dropLast(5))!
                        XCTAssertTrue(status.stdout.contains("trial \(trial) epoch \(summary.epochs) (\(cv.position(round: summary.round)))"),
                                      status.stdout)
                        statusChecked = true
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 5, "\(runs) runs")
        XCTAssertGreaterThan(insideLaterFold, 0, "some kill left a checkpoint inside a later fold")
        let last = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertFalse(last.stderr.contains("cannot be used"), last.stderr)
        XCTAssertFalse(readFile(folder + "/search.log").contains("cannot be used"), "every checkpoint was taken up")
        assertSameResults(folder, as: reference, trials: Self.trials, keep: 0)
    }

    func testTrainRunsEveryFoldAndPrintsTheMean() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let path = try BinaryHarness.write(#"""
            {"version": 1, "data": {"generator": "sum_bin", "rows": 400, "seed": 1}, "validation": {"folds": 3}, "seed": 2,
             "space": {"depth": 1, "width": 16, "epochs": 4, "lr": [0.01, 0.1], "normalize": "standardize"}}
            """#, to: "cv.json", in: dir)
        let text = try BinaryHarness.run(["train", path, "--set", "lr=0.01"])
        XCTAssertEqual(text.status, 0, text.stderr)
        for fold in 1...3 { XCTAssertTrue(text.stdout.contains("fold \(fold)/3: train "), text.stdout) }
        XCTAssertTrue(text.stdout.contains("mean over the folds:"), text.stdout)
        XCTAssertTrue(text.stdout.contains("(mean ± standard deviation over the folds)"), text.stdout)
        let csv = try BinaryHarness.run(["train", path, "--set", "lr=0.01", "--csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let lines = csv.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "epoch,lr,train_loss,val_loss,train_accuracy,val_accuracy")
        XCTAssertEqual(lines.count, 5, "the mean curve: one line per epoch")
    }

    func testFoldsWithPruningAreRefusedAtInitWithExit64() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let bad = Self.spec.replacingOccurrences(of: #""workers": 2,"#, with: #""workers": 2, "pruning": {"kind": "halving"},"#)
        let specPath = try BinaryHarness.write(bad, to: "bad.json", in: dir)
        let r = try BinaryHarness.run(["init", specPath])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains(#"pruning: cannot be combined with cross-validation ("validation": {"folds": 4, "repeats": 2})"#), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path), "nothing created")
    }
}
