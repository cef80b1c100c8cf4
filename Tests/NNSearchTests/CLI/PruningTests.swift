import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Successive halving and hyperband on the built binary: the same files for any number of worker
/// threads and processes, and after kill -9 and resume.
final class PruningTests: XCTestCase {
    /// Trials with state worth restoring (moments, batch norm); by default 27 of 9 epochs, rungs at 1, 3 and 9.
    private static func spec(_ kind: String, trials: Int = 27, epochs: Int = 9, eta: Int = 3) -> String {
        #"""
        {"version": 1, "data": {"generator": "sum_mod", "rows": 3000, "seed": 3}, "strategy": "random", "trials": \#(trials), "seed": 4,
         "space": {"depth": {"int_uniform": [1, 2]}, "width": [16, 32], "lr": {"log_uniform": [0.001, 0.1]},
                   "optimizer": ["momentum", "adam"], "batch_size": [8, 16], "epochs": \#(epochs), "normalize": ["standardize", "batchnorm"]},
         "pruning": {"kind": "\#(kind)", "eta": \#(eta), "min_epochs": 1}}
        """#
    }

    /// How many lines (journal records) a file has.
    private func lines(_ path: String) -> Int { (FileManager.default.contents(atPath: path) ?? Data()).reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }

    /// The leaderboard, every curve and the rows of trials.csv equal the reference's (minus
    /// `seconds`); each trial finished once; no checkpoint is left.
    private func assertSameResults(_ folder: String, as reference: String, trials: Int = 27,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(withoutSeconds(readFile(folder + "/leaderboard.csv")), withoutSeconds(readFile(reference + "/leaderboard.csv")),
                       "leaderboard", file: file, line: line)
        for n in 0..<trials {
            let curve = "/curves/trial-" + SearchFolder.paddedNumber(n) + ".csv"
            XCTAssertEqual(readFile(folder + curve), readFile(reference + curve), "curve \(n)", file: file, line: line)
        }
        let rows = withoutSeconds(readFile(folder + "/trials.csv"))
        XCTAssertEqual(rows.count, trials + 1, "a header and one row per trial", file: file, line: line)
        XCTAssertEqual(Set(rows), Set(withoutSeconds(readFile(reference + "/trials.csv"))), file: file, line: line)
        let checkpoints = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []).filter { $0.hasSuffix(".ckpt") }
        XCTAssertEqual(checkpoints, [], "finished and pruned trials leave no checkpoint", file: file, line: line)
    }

    /// (trial, status, epochs run) of each row of trials.csv, by the header's names (the epochs
    /// run are the last `epochs` column).
    private func outcomes(_ folder: String) -> [(trial: Int, status: String, epochs: Int)] {
        let lines = readFile(folder + "/trials.csv").split(separator: "\n")
        guard let header = lines.first?.split(separator: ","), let status = header.firstIndex(of: "status"),
              let epochs = header.lastIndex(of: "epochs") else { return [] }
        return lines.dropFirst().map { row in
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            return (Int(fields[0])!, String(fields[status]), Int(fields[epochs])!)
        }
    }

    // MARK: - Tests

    func testHalvingPrunesByTheFormulaAndIsTheSameForAnyWorkersAndProcesses() throws {
        let (dir, specPath, reference) = try referenceRun(Self.spec("halving"))
        let trials = 27
        // 27 trials, eta 3: 18 pruned after 1 epoch, 6 after 3, 3 run all 9 epochs.
        let counts = Dictionary(grouping: outcomes(reference)) { "\($0.status) \($0.epochs)" }.mapValues(\.count)
        XCTAssertEqual(counts, ["pruned 1": 18, "pruned 3": 6, "completed 9": 3], "\(counts)")
        // Pruned trials rank after every completed one; their curves stop where they were pruned.
        let board = readFile(reference + "/leaderboard.csv").split(separator: "\n")
        let statusColumn = try XCTUnwrap(board.first?.split(separator: ",").firstIndex(of: "status"))
        let ranked = board.dropFirst().map { $0.split(separator: ",")[statusColumn] }
        XCTAssertEqual(ranked.prefix(3), ["completed", "completed", "completed"])
        XCTAssertEqual(Set(ranked.dropFirst(3)), ["pruned"])
        let epochsByTrial = outcomes(reference).map { ($0.trial, $0.epochs) }
        XCTAssertEqual(epochsByTrial.count, trials)
        for (trial, epochs) in epochsByTrial {
            let curve = readFile(reference + "/curves/trial-" + SearchFolder.paddedNumber(trial) + ".csv")
            XCTAssertEqual(curve.split(separator: "\n").count, epochs + 1, "trial \(trial)'s curve")
        }
        let total = epochsByTrial.map(\.1).reduce(0, +)
        XCTAssertEqual(total, 27 * 1 + 9 * 2 + 3 * 6, "epochs trained: 27 to 1, 9 on to 3, 3 on to 9")

        let two = dir.appendingPathComponent("two").path
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("18 trials pruned at epoch 1"), r.stdout)
        assertSameResults(two, as: reference)

        let processes = dir.appendingPathComponent("processes").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", processes]).status, 0)
        let a = try launch(["worker", processes, "--workers", "1"], log: processes + "/a.log")
        let b = try launch(["worker", processes, "--workers", "1"], log: processes + "/b.log")
        for (p, log) in [(a, "a"), (b, "b")] {
            waitForExit(p)
            XCTAssertEqual(p.terminationStatus, 0, readFile(processes + "/\(log).log"))
        }
        let s = try SearchSnapshot(SearchFolder(processes))
        XCTAssertEqual(s.phase, .finished)
        XCTAssertEqual(Set(s.state.finished.values.map(\.process)).count, 2, "both processes recorded results")
        assertSameResults(processes, as: reference)
    }

    func testHyperbandIsTheSameForAnyWorkersAndProcesses() throws {
        let (dir, specPath, reference) = try referenceRun(Self.spec("hyperband"))
        let trials = 27
        let schedule = RungSchedule(pruning: Pruning(kind: .hyperband, eta: 3, minEpochs: 1), seed: 4, trialCount: trials,
                                    maxEpochs: 9, maximize: true) { _ in 9 }
        // Every trial of the last bracket trains all its epochs; the others start at their bracket's rung.
        let rows = outcomes(reference)
        XCTAssertEqual(rows.count, trials)
        for (trial, status, epochs) in rows {
            let bracket = schedule.bracket(trial)
            XCTAssertGreaterThanOrEqual(epochs, schedule.ladder[bracket], "trial \(trial) of bracket \(bracket)")
            if bracket == 2 { XCTAssertEqual(status, "completed", "trial \(trial)") }
        }
        XCTAssertGreaterThan(schedule.bracketSizes.filter { $0 > 0 }.count, 1, "the trials span several brackets")

        let two = dir.appendingPathComponent("two").path
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two]).status, 0)
        assertSameResults(two, as: reference)
        let processes = dir.appendingPathComponent("processes").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", processes]).status, 0)
        let a = try launch(["worker", processes, "--workers", "2"], log: processes + "/a.log")
        let b = try launch(["worker", processes, "--workers", "1"], log: processes + "/b.log")
        for p in [a, b] {
            waitForExit(p)
            XCTAssertEqual(p.terminationStatus, 0)
        }
        assertSameResults(processes, as: reference)
    }

    /// Killed at exact moments (a pause's checkpoint, the journal append that completes a rung and
    /// the prunes after it) and at random ones, with 1 or 2 threads, then resumed: the same files.
    /// After each kill, every trial waiting at a rung has its checkpoint at that rung. 60 trials,
    /// eta 2, rungs at 1, 2, 4, 8 and 16 epochs: 60, 30, 15, 7 and 3 trials, work at every rung.
    func testKillNineAndResumeEndAsIfUninterrupted() throws {
        let trials = 60
        let (dir, specPath, reference) = try referenceRun(Self.spec("halving", trials: trials, epochs: 16, eta: 2))
        let folder = dir.appendingPathComponent("killed").path
        addTeardownBlock { for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) } }
        // Random moments first (the first rung is most of the work), then exact ones, counted from
        // each new process's start: just before a decided rung's prunes are appended (its last pause
        // is in the journal), around journal appends, checkpoint writes and a row.
        let faults: [(String, Int)?] = [nil, nil, nil, ("kill:append:prunes:1", 1), nil, nil, ("kill:append:journal:3", 2),
                                        ("kill:renamed:checkpoint:3", 1), nil, ("kill:rename:checkpoint:2", 2),
                                        ("kill:appended:journal:7", 1), ("kill:appended:trials.csv:2", 2)]
        var random = Random(seed: 31)
        var kills = 0, runs = 0, checkedPauses = 0, prunesPending = false, statusChecked = false
        let schedule = RungSchedule(pruning: Pruning(kind: .halving, eta: 2, minEpochs: 1), seed: 4, trialCount: trials,
                                    maxEpochs: 16, maximize: true) { _ in 16 }
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        while (try? SearchSnapshot(SearchFolder(folder)).phase) != .finished && runs < 40 && kills < 16 {
            runs += 1
            var env = ProcessInfo.processInfo.environment
            let fault = runs <= faults.count ? faults[runs - 1] : nil
            env["NNSEARCH_FAULT"] = fault?.0
            let workers = fault?.1 ?? 1 + runs % 2
            let r = try BinaryHarness.run(["resume", folder, "--workers", String(workers)], environment: env)
            XCTAssertTrue(r.status == 0 || r.stderr.contains("exited at once"), r.stderr)
            if fault == nil {
                // After 1 to 8 more journal records (whatever this machine's speed), then a moment more.
                let target = lines(folder + "/journal") + 1 + random.next(below: 8)
                let deadline = Date().addingTimeInterval(10)
                while lines(folder + "/journal") < target && !BinaryHarness.workerPids(folder).isEmpty && Date() < deadline { usleep(500) }
                usleep(UInt32(random.next(below: 2_000)))
                for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) }
            }
            BinaryHarness.waitUntilIdle(folder)
            let s = try SearchSnapshot(SearchFolder(folder))
            if s.phase != .finished { kills += 1 }
            if fault?.0 == "kill:append:prunes:1" {
                // Replayed with the rungs: a decided rung's pruned trials have no result yet.
                var state = SearchState(trialCount: trials, schedule: schedule)
                for entry in try JournalFile(directory: folder, create: false).read(from: 0).entries { state.apply(entry.record, at: entry.offset) }
                XCTAssertFalse(state.pendingPrunes.isEmpty, "killed between a rung's last pause and its prunes")
                prunesPending = true
            }
            // Trials paused at a rung and not taken up since hold a checkpoint at exactly that rung.
            for (trial, pause) in s.state.paused where s.state.claims[trial] == nil {
                let path = folder + "/checkpoints/trial-" + SearchFolder.paddedNumber(trial) + ".ckpt"
                let bytes = try XCTUnwrap(readFileBytes(path), "trial \(trial) paused without its checkpoint")
                XCTAssertEqual(try TrialRunner.peek(bytes).epochs, pause.epoch, "trial \(trial)")
                checkedPauses += 1
            }
            if !statusChecked, let (trial, pause) = s.state.paused.filter({ s.state.claims[$0.key] == nil }).min(by: { $0.key < $1.key }) {
                let status = try BinaryHarness.run(["status", folder])
                XCTAssertTrue(status.stdout.contains("waiting at a rung:"), status.stdout)
                XCTAssertTrue(status.stdout.contains("trial \(trial) epoch \(pause.epoch)"), status.stdout)
                statusChecked = true
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 10, "\(runs) runs")
        XCTAssertGreaterThan(checkedPauses, 0, "some kills found trials waiting at a rung")
        XCTAssertTrue(prunesPending, "the kill before a rung's prunes fired")
        let last = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(last.status, 0, last.stderr)
        assertSameResults(folder, as: reference, trials: trials)
        let counts = Dictionary(grouping: outcomes(folder)) { "\($0.status) \($0.epochs)" }.mapValues(\.count)
        XCTAssertEqual(counts, ["pruned 1": 30, "pruned 2": 15, "pruned 4": 8, "pruned 8": 4, "completed 16": 3], "\(counts)")
    }

    func testABadPruningKeyIsRefusedAtInitWithExit64() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let bad = Self.spec("halving").replacingOccurrences(of: #""min_epochs": 1"#, with: #""min_epoch": 1"#)
        let specPath = try BinaryHarness.write(bad, to: "bad.json", in: dir)
        let r = try BinaryHarness.run(["init", specPath])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains(#"pruning.min_epoch: unknown key (did you mean "min_epochs"?)"#), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path), "nothing created")
    }
}
