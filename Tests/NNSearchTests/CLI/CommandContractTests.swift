import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchCLI
@testable import NNSearchKernel

/// What the commands promise a user at their edges: honest exit statuses, help, races (on the built binary).
final class CommandContractTests: XCTestCase {
    private let spec = #"""
    {"version": 1, "data": {"generator": "sum_bin", "rows": 2000, "seed": 1}, "strategy": "random", "trials": 60, "seed": 2,
     "space": {"depth": 2, "width": [16, 32], "lr": {"log_uniform": [0.001, 0.01]}, "epochs": 8, "batch_size": 8}}
    """#

    func testADetachedStartWhoseWorkerDiesBeforeJoiningExitsWithTheWorkersStatusAndReason() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        var env = ProcessInfo.processInfo.environment
        env["NNSEARCH_FAULT"] = "enospc:append:journal:1"   // the worker's join cannot be written
        let r = try BinaryHarness.run(["start", specPath], environment: env)
        XCTAssertEqual(r.status, 74, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("exited with status 74 before joining"), r.stderr)
        XCTAssertTrue(r.stderr.contains("No space left on device"), r.stderr)
        XCTAssertFalse(r.stdout.contains("started search"), "it does not claim it started: \(r.stdout)")
    }

    func testTwoStartsAtOnceLeaveOneSearchAndAClearRefusal() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        for round in 0..<4 {
            let out = dir.appendingPathComponent("race-\(round)").path
            let results = Locked([BinaryHarness.Result]())
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                if let r = try? BinaryHarness.run(["start", specPath, "--foreground", "--out", out]) {
                    results.withLock { $0.append(r) }
                }
            }
            let statuses = results.current.map(\.status).sorted()
            XCTAssertEqual(statuses.count, 2)
            XCTAssertEqual(statuses.first, 0, "one start runs the search: \(results.current.map(\.stderr))")
            XCTAssertTrue([0, 69, 75].contains(statuses.last ?? -1), "the other is refused as unavailable or busy, never an I/O error: \(results.current.map(\.stderr))")
            for r in results.current where r.status != 0 {
                XCTAssertTrue(r.stderr.contains(out), r.stderr)
                XCTAssertFalse(r.stderr.contains("Directory not empty"), r.stderr)
            }
        }
    }

    func testCtrlCOnAForegroundSearchExits130AndResumes() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        let folder = dir.appendingPathComponent("s").path
        let process = Process()
        process.executableURL = BinaryHarness.executable
        process.arguments = ["start", specPath, "--foreground"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while ((try? String(contentsOfFile: folder + "/trials.csv", encoding: .utf8))?.split(separator: "\n").count ?? 0) < 3,
              Date() < deadline, process.isRunning { usleep(10_000) }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, "Ctrl-C ends as shells expect")
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("state: stopped, not running"), status.stdout)
        let resumed = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("search finished: 60/60"), resumed.stdout)
    }

    func testEveryCommandHasHelpAndTheBinaryHasAVersion() throws {
        for (name, usage, _) in CommandLine.commands {
            let r = try BinaryHarness.run([name, "--help"])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            XCTAssertTrue(r.stdout.hasPrefix("usage: \(usage)"), "\(name): \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("75 search busy"), "\(name): the one exit-status table")
        }
        let version = try BinaryHarness.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("nnsearch \(CommandLine.version) (kernel: "), version.stdout)
        let unknown = try BinaryHarness.run(["wroker"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("did you mean \"worker\""), unknown.stderr)
    }

    func testAnEmptyOutFolderIsAUsageError() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        for command in ["start", "init"] {
            let r = try BinaryHarness.run([command, specPath, "--out", ""], in: dir)
            XCTAssertEqual(r.status, 64, "\(command): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--out needs a folder name"), r.stderr)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "s.json" }
        XCTAssertEqual(leftovers, [])
    }

    /// A folder from nnsearch 0.4 (its origin has no chance level, its rows fewer columns) is not
    /// resumed into mixed files; it stays readable.
    func testAFolderFromAnOlderVersionIsNotResumedIntoMixedColumns() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try BinaryHarness.write(#"""
            {"version": 1, "data": {"generator": "sum_bin", "rows": 300}, "strategy": "random", "trials": 20, "seed": 1,
             "space": {"depth": 1, "width": 8, "lr": {"log_uniform": [0.001, 0.05]}, "epochs": 5}}
            """#, to: "old.json", in: dir)
        let folder = dir.appendingPathComponent("old").path
        var env = ProcessInfo.processInfo.environment
        env["NNSEARCH_FAULT"] = "kill:appended:journal:6"
        _ = try BinaryHarness.run(["start", spec, "--foreground"], environment: env)
        let origin = try String(contentsOfFile: folder + "/origin", encoding: .utf8)
        let older = origin.split(separator: "\n").filter { !$0.hasPrefix("chance=") && !$0.hasPrefix("task=") }.joined(separator: "\n") + "\n"
        try older.write(toFile: folder + "/origin", atomically: true, encoding: .utf8)
        let before = try String(contentsOfFile: folder + "/trials.csv", encoding: .utf8)
        let resume = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(resume.status, 65, resume.stderr)
        XCTAssertTrue(resume.stderr.contains("created by nnsearch 0.4 or earlier"), resume.stderr)
        XCTAssertEqual(try String(contentsOfFile: folder + "/trials.csv", encoding: .utf8), before, "nothing was appended")
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertEqual(status.status, 0, status.stderr)
        let explain = try BinaryHarness.run(["explain", folder])
        XCTAssertEqual(explain.status, 0, explain.stderr)
    }

    func testChangedDataIsRefusedOnResumeAndByWorkersUnlessForced() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        var random = Random(seed: 4)
        let rows = (0..<400).map { _ -> String in
            let a = random.nextDouble(), b = random.nextDouble()
            return "\(a),\(b),\(a + b > 1 ? "hi" : "lo")"
        }
        let csvPath = try BinaryHarness.write("a,b,y\n" + rows.joined(separator: "\n") + "\n", to: "d.csv", in: dir)
        let specPath = try BinaryHarness.write(#"""
            {"version": 1, "data": {"csv": "d.csv", "target": "y"}, "strategy": "random", "trials": 40, "seed": 1,
             "space": {"depth": 1, "width": [8, 16], "lr": {"log_uniform": [0.001, 0.05]}, "epochs": 30, "batch_size": 4}}
            """#, to: "d.json", in: dir)
        let folder = dir.appendingPathComponent("d").path
        var env = ProcessInfo.processInfo.environment
        env["NNSEARCH_FAULT"] = "kill:appended:journal:8"
        _ = try BinaryHarness.run(["start", specPath, "--foreground"], environment: env)
        XCTAssertNotEqual(try SearchSnapshot(SearchFolder(folder)).phase, .finished)

        // Multiply a feature by 10.
        let scaled = "a,b,y\n" + rows.map { row -> String in
            let f = row.split(separator: ",")
            return "\(Double(f[0])! * 10),\(f[1]),\(f[2])"
        }.joined(separator: "\n") + "\n"
        try scaled.write(toFile: csvPath, atomically: true, encoding: .utf8)
        let refused = try BinaryHarness.run(["resume", folder, "--foreground"])
        XCTAssertEqual(refused.status, 65, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("d.csv changed since"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        let worker = try BinaryHarness.run(["worker", folder])
        XCTAssertEqual(worker.status, 65, "a cluster worker refuses too: \(worker.stderr)")

        let forced = try BinaryHarness.run(["resume", folder, "--force", "--foreground"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("resuming on the new data"), forced.stderr)
        XCTAssertTrue(forced.stdout.contains("search finished: 40/40"), forced.stdout)
    }
}
