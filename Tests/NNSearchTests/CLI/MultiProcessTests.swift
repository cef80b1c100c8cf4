import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Many worker processes on one search folder, through its journal (on the built binary).
final class MultiProcessTests: XCTestCase {
    /// 24 trials of a few epochs, with state worth restoring (moments, batch norm, dropout).
    private let spec = #"""
    {"version": 1, "data": {"generator": "sum_mod", "rows": 3000, "seed": 3}, "strategy": "random", "trials": 24, "seed": 8,
     "space": {"depth": {"int_uniform": [1, 3]}, "width": [16, 32], "lr": {"log_uniform": [0.001, 0.05]},
               "optimizer": ["momentum", "adam"], "schedule": ["cosine", {"step": 3, "gamma": 0.5}],
               "batch_size": [8, 16], "epochs": 12, "normalize": ["standardize", "batchnorm"], "dropout": [0, 0.1]}}
    """#
    private let trials = 24

    /// The leaderboard and every curve equal the reference's (minus `seconds`); trials.csv has
    /// each trial exactly once; no checkpoint is left.
    private func assertSameResults(_ folder: String, as reference: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(withoutSeconds(readFile(folder + "/leaderboard.csv")), withoutSeconds(readFile(reference + "/leaderboard.csv")),
                       "leaderboard", file: file, line: line)
        for n in 0..<trials {
            let curve = "/curves/trial-" + SearchFolder.paddedNumber(n) + ".csv"
            XCTAssertEqual(readFile(folder + curve), readFile(reference + curve), "curve \(n)", file: file, line: line)
        }
        let rows = readFile(folder + "/trials.csv").split(separator: "\n").dropFirst()
        let numbers = rows.map { Int($0.split(separator: ",")[0])! }
        XCTAssertEqual(numbers.sorted(), Array(0..<trials), "every trial once in trials.csv", file: file, line: line)
        let checkpoints = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []).filter { $0.hasSuffix(".ckpt") }
        XCTAssertEqual(checkpoints, [], "finished trials leave no checkpoint", file: file, line: line)
        assertKeptModels(folder, as: reference, file: file, line: line)
    }

    private func snapshot(_ folder: String) throws -> SearchSnapshot { try SearchSnapshot(SearchFolder(folder)) }

    func testThreeProcessesOneKilledOneLateEqualOneProcessAtRandomMoments() throws {
        let (dir, specPath, reference) = try referenceRun(spec)
        var random = Random(seed: 77)
        var killedMidSearch = 0
        for round in 0..<10 {
            let folder = dir.appendingPathComponent("round-\(round)").path
            let created = try BinaryHarness.run(["init", specPath, "--out", folder])
            XCTAssertEqual(created.status, 0, created.stderr)
            let first = try launch(["worker", folder, "--workers", "1"], log: folder + "/w1.log")
            let second = try launch(["worker", folder, "--workers", "1"], log: folder + "/w2.log")
            let victim = round % 2 == 0 ? first : second
            // Kill one at a random moment once both have joined: during or after its first trials.
            let joined = Date().addingTimeInterval(60)
            while try snapshot(folder).state.processes.count < 2, Date() < joined, victim.isRunning { usleep(5_000) }
            usleep(UInt32(random.next(below: 800_000)))
            kill(victim.processIdentifier, SIGKILL)
            waitForExit(victim)
            if try snapshot(folder).state.isComplete == false { killedMidSearch += 1 }
            // A third joins late, with two threads.
            usleep(UInt32(random.next(below: 500_000)))
            let late = try launch(["worker", folder, "--workers", "2"], log: folder + "/w3.log")
            for p in [first, second, late] where p !== victim {
                waitForExit(p)
                XCTAssertEqual(p.terminationStatus, 0, "round \(round): " + readFile(folder + "/w\(p === late ? 3 : p === first ? 1 : 2).log"))
            }
            let s = try snapshot(folder)
            XCTAssertEqual(s.phase, .finished, "round \(round)")
            XCTAssertTrue(s.state.processes.values.contains { $0.pid == victim.processIdentifier }, "round \(round): the victim had joined")
            assertSameResults(folder, as: reference)
        }
        XCTAssertGreaterThanOrEqual(killedMidSearch, 8, "most kills land mid-search")
        // A late worker on a finished search exits 0 at once.
        let folder = dir.appendingPathComponent("round-0").path
        let again = try BinaryHarness.run(["worker", folder])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("nothing to do"), again.stdout)
    }

    func testFrozenWorkerLosesItsTrialAndItsLateResultIsDropped() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        // Few trials, long enough that a frozen one is mid-trial.
        // Each trial takes a second or more (10 epochs of 1,500 steps of a 3×128 net), far longer than a heartbeat.
        let slow = #"""
        {"version": 1, "data": {"generator": "sum_mod", "rows": 3750, "seed": 1}, "strategy": "grid", "seed": 2,
         "space": {"lr": [0.001, 0.002], "depth": 3, "width": 128, "batch_size": 2, "epochs": 10, "optimizer": "adam"}}
        """#
        let specPath = try BinaryHarness.write(slow, to: "slow.json", in: dir)
        let reference = dir.appendingPathComponent("reference").path
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--foreground", "--out", reference]).status, 0)
        let folder = dir.appendingPathComponent("frozen").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)

        let a = try launch(["worker", folder, "--workers", "1", "--lease", "2", "--heartbeat", "0.3"], log: folder + "/a.log")
        // Wait until A holds trial 0 and has trained an epoch of it.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let s = try snapshot(folder)
            if let p = s.state.processes.values.first, p.epochs.contains(where: { $0.trial == 0 && $0.epoch >= 1 }) { break }
            usleep(20_000)
        }
        kill(a.processIdentifier, SIGSTOP)
        let frozenAt = Date()
        let b = try launch(["worker", folder, "--workers", "1", "--lease", "2", "--heartbeat", "0.3"], log: folder + "/b.log")
        // B takes trial 0 over once A's lease lapsed.
        var takenOver = false
        while Date() < deadline && !takenOver {
            let s = try snapshot(folder)
            takenOver = s.state.claims[0].map { $0.process != s.state.processes.values.first { $0.pid == a.processIdentifier }?.id } ?? (s.state.finished[0] != nil)
            usleep(20_000)
        }
        XCTAssertTrue(takenOver, "B claimed A's trial")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(frozenAt), 1.5, "not before A's lease lapsed")
        waitForExit(b)
        XCTAssertEqual(b.terminationStatus, 0, readFile(folder + "/b.log"))
        kill(a.processIdentifier, SIGCONT)
        waitForExit(a)
        XCTAssertEqual(a.terminationStatus, 0, readFile(folder + "/a.log"))
        XCTAssertTrue(readFile(folder + "/a.log").contains("lease passed to another process"), readFile(folder + "/a.log"))

        let rows = readFile(folder + "/trials.csv").split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        XCTAssertEqual(rows.sorted(), ["0", "1"], "no duplicate row")
        let checkpoints = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []).filter { $0.hasSuffix(".ckpt") }
        XCTAssertEqual(checkpoints, [], "the thawed worker left no checkpoint of a finished trial")
        XCTAssertEqual(withoutSeconds(readFile(folder + "/leaderboard.csv")), withoutSeconds(readFile(reference + "/leaderboard.csv")))
        for n in 0..<2 {
            let curve = "/curves/trial-" + SearchFolder.paddedNumber(n) + ".csv"
            XCTAssertEqual(readFile(folder + curve), readFile(reference + curve), "curve \(n)")
        }
    }

    func testALockLeftByAKilledProcessIsBrokenAfterTheGracePeriod() throws {
        let (dir, specPath, _) = try referenceRun(spec)
        let folder = dir.appendingPathComponent("locked").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        // A lock of a process on another machine, just written: nobody can tell it is dead but by its age.
        try BinaryHarness.write("otherhost-4242 \(Date().timeIntervalSince1970) 4242 another-boot/pid:[1]\n", to: "locked/journal.lock", in: dir)
        let t0 = Date()
        let worker = try launch(["worker", folder, "--workers", "2", "--lock-grace", "2"], log: folder + "/w.log")
        var joined: Double? = nil
        while joined == nil && Date().timeIntervalSince(t0) < 30 {
            if try snapshot(folder).state.processes.isEmpty == false { joined = Date().timeIntervalSince(t0) }
            usleep(10_000)
        }
        let wait = try XCTUnwrap(joined)
        XCTAssertGreaterThanOrEqual(wait, 1.9, "the lock is honoured until its grace period passed")
        XCTAssertLessThanOrEqual(wait, 3.0, "no worker waits longer than the grace period plus one second")
        waitForExit(worker)
        XCTAssertEqual(worker.terminationStatus, 0)
        XCTAssertTrue(readFile(folder + "/w.log").contains("broke the journal lock of otherhost-4242"), readFile(folder + "/w.log"))
    }

    func testStopReachesEveryProcessAndStatusListsThem() throws {
        let (dir, specPath, reference) = try referenceRun(spec)
        let folder = dir.appendingPathComponent("two").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let a = try launch(["worker", folder, "--workers", "1"], log: folder + "/a.log")
        let b = try launch(["worker", folder, "--workers", "1"], log: folder + "/b.log")
        let deadline = Date().addingTimeInterval(60)
        while try snapshot(folder).live.count < 2 && Date() < deadline { usleep(10_000) }
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("state: running"), status.stdout)
        XCTAssertTrue(status.stdout.contains("workers: 2 processes, 2 threads"), status.stdout)
        for p in [a, b] { XCTAssertTrue(status.stdout.contains("pid \(p.processIdentifier)"), status.stdout) }

        let stop = try BinaryHarness.run(["stop", folder])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        for p in [a, b] {
            waitForExit(p)
            XCTAssertEqual(p.terminationStatus, 0)
        }
        let after = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(after.stdout.contains("state: stopped, not running"), after.stdout)
        // A worker joining a stopped search does nothing; resume lifts the stop.
        let idle = try BinaryHarness.run(["worker", folder])
        XCTAssertEqual(idle.status, 0)
        XCTAssertTrue(idle.stdout.contains("is stopped"), idle.stdout)
        let resumed = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        assertSameResults(folder, as: reference)
    }

    func testTornFusedAndHandEditedRecordsAreReportedAndViewsRebuilt() throws {
        let (dir, _, reference) = try referenceRun(spec)
        let journal = reference + "/journal"
        let good = try Data(contentsOf: URL(fileURLWithPath: journal))
        let finishes = try snapshot(reference).state.finished
        let sample = try XCTUnwrap(finishes[3])
        let sampleRow = try XCTUnwrap(readFile(reference + "/trials.csv").split(separator: "\n").first { $0.hasPrefix("3,") }).description
        func frame(_ r: JournalRecord) -> Data { Data(JournalFrame.encode(r)) }
        var damaged = good
        // A torn record (a writer killed mid-append) fused with the whole record after it.
        let torn = frame(.finish(trial: 5, process: "ghost", time: 1, metric: 0.5, row: "5,completed"))
        damaged += torn.prefix(torn.count / 2)
        damaged += frame(.stop(by: "test", time: 1)) + frame(.resume(by: "test", time: 2))
        // NUL bytes, as NFS leaves them in a hole.
        damaged += Data(repeating: 0, count: 64)
        // Hand edits with valid framing: a trial out of range, a duplicate finish, a row of another trial.
        damaged += frame(.finish(trial: 999, process: "x", time: 3, metric: 1, row: "999,completed"))
        damaged += frame(.finish(trial: sample.trial, process: sample.process, time: 4, metric: 0, row: sampleRow))
        damaged += frame(.finish(trial: 1_000, process: "x", time: 5, metric: 1, row: "3,completed"))
        // A finish whose metric is not a number, and a record with a flipped checksum digit.
        damaged += Data(JournalFrame.encode(payload: Array("finish\t1\tx\t1\tabc\t1,completed".utf8)))
        var flipped = frame(.stop(by: "flipped", time: 9))
        let digit = flipped[6...].firstIndex(of: UInt8(ascii: " "))! + 1   // the checksum's first hex digit
        flipped[digit] = flipped[digit] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        damaged += flipped
        try damaged.write(to: URL(fileURLWithPath: journal))
        try FileManager.default.removeItem(atPath: reference + "/trials.csv")
        try FileManager.default.removeItem(atPath: reference + "/leaderboard.csv")

        let status = try BinaryHarness.run(["status", reference])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("state: finished"), status.stdout)
        XCTAssertTrue(status.stdout.contains("trials: \(trials)/\(trials) done"), status.stdout)
        XCTAssertTrue(status.stdout.contains("journal: "), status.stdout)
        XCTAssertTrue(status.stdout.contains("byte \(good.count)"), "the torn record's position: \(status.stdout)")

        let repaired = try BinaryHarness.run(["resume", reference])
        XCTAssertEqual(repaired.status, 0, repaired.stderr)
        XCTAssertTrue(repaired.stderr.contains("skipped byte \(good.count)"), repaired.stderr)
        XCTAssertTrue(repaired.stderr.contains("trial 999"), repaired.stderr)
        XCTAssertTrue(repaired.stderr.contains("is not a number"), repaired.stderr)
        XCTAssertTrue(repaired.stderr.contains("checksum"), repaired.stderr)
        let rows = readFile(reference + "/trials.csv").split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, trials, "never more rows than trials")
        XCTAssertEqual(Set(rows.map { $0.split(separator: ",")[0] }).count, trials)
        XCTAssertEqual(readFile(reference + "/leaderboard.csv").split(separator: "\n").count, trials + 1)
        _ = dir
    }

    func testTheTimeBudgetIsSharedByAllProcesses() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let long = #"""
        {"version": 1, "data": {"generator": "sum_bin", "rows": 2000, "seed": 1}, "strategy": "random", "trials": 5000, "seed": 3,
         "max_seconds": 2, "space": {"depth": 2, "width": [16, 32], "lr": {"log_uniform": [0.001, 0.01]}, "epochs": 5, "batch_size": 16}}
        """#
        let specPath = try BinaryHarness.write(long, to: "long.json", in: dir)
        let folder = dir.appendingPathComponent("long").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let a = try launch(["worker", folder, "--workers", "1"], log: folder + "/a.log")
        usleep(500_000)
        let b = try launch(["worker", folder, "--workers", "1"], log: folder + "/b.log")
        for p in [a, b] {
            waitForExit(p, timeout: 60)
            XCTAssertEqual(p.terminationStatus, 0)
        }
        let s = try snapshot(folder)
        XCTAssertEqual(s.phase, .timeLimit)
        XCTAssertLessThan(s.state.doneCount, 5000)
        // The union of the two lifetimes, not their sum: two processes do not get two budgets.
        let elapsed = s.state.elapsed(at: s.now)
        XCTAssertGreaterThanOrEqual(elapsed, 2)
        let lifetimes = s.state.processes.values.reduce(0) { $0 + ($1.lastSeen - $1.joined) }
        XCTAssertLessThan(elapsed, lifetimes, "overlapping lifetimes count once")
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("state: time limit, not running"), status.stdout)
        let resumed = try BinaryHarness.run(["resume", folder])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("nothing to resume"), resumed.stdout)
        // Every trial given back at the time limit with epochs done has its checkpoint on disk.
        for (trial, claim) in s.state.claims where claim.released && claim.epoch > 0 {
            let path = folder + "/checkpoints/trial-" + SearchFolder.paddedNumber(trial) + ".ckpt"
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "trial \(trial) released at epoch \(claim.epoch) without its checkpoint")
        }
    }

    func testAStopThatTimesOutSaysWhoIsStillThereAndStaysRecorded() throws {
        let (dir, specPath, _) = try referenceRun(spec)
        let folder = dir.appendingPathComponent("frozen-stop").path
        XCTAssertEqual(try BinaryHarness.run(["init", specPath, "--out", folder]).status, 0)
        let worker = try launch(["worker", folder, "--workers", "1"], log: folder + "/w.log")
        let deadline = Date().addingTimeInterval(60)
        while try snapshot(folder).live.isEmpty && Date() < deadline { usleep(10_000) }
        kill(worker.processIdentifier, SIGSTOP)
        let stop = try BinaryHarness.run(["stop", folder, "--timeout", "1"])
        XCTAssertEqual(stop.status, 75, stop.stderr)
        XCTAssertTrue(stop.stderr.contains("pid \(worker.processIdentifier)"), stop.stderr)
        XCTAssertTrue(stop.stderr.contains("The stop stays recorded"), stop.stderr)
        kill(worker.processIdentifier, SIGCONT)
        waitForExit(worker)
        XCTAssertEqual(worker.terminationStatus, 0, "the thawed worker sees the stop and leaves")
        XCTAssertEqual(try snapshot(folder).phase, .stopped)
    }
}
