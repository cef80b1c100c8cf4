import Foundation
import XCTest
@testable import NNSearch

/// The search daemon end to end, on the built binary.
final class SearchCommandTests: XCTestCase {
    /// A random search small enough for a test: 10 trials of a few epochs on 500 rows.
    private let randomSpec = #"""
    {"version": 1, "data": {"generator": "sum_bin", "rows": 500, "seed": 3}, "strategy": "random", "trials": 10, "seed": 7,
     "workers": WORKERS,
     "space": {"depth": {"int_uniform": [0, 2]}, "width": [8, 16], "lr": {"log_uniform": [0.001, 0.3]},
               "optimizer": ["sgd", "momentum", "adam"], "schedule": ["constant", {"step": 2, "gamma": 0.5}],
               "batch_size": [16, 64], "epochs": 4, "normalize": ["none", "standardize", "batchnorm"], "dropout": [0, 0.2]}}
    """#

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    private func runSearch(workers: Int, in dir: URL, name: String) throws -> String {
        let spec = try BinaryHarness.write(randomSpec.replacingOccurrences(of: "WORKERS", with: String(workers)),
                                           to: "\(name).json", in: dir)
        let r = try BinaryHarness.run(["start", spec, "--foreground"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("search finished: 10/10 trials"), r.stdout)
        return dir.appendingPathComponent(name).path
    }

    func testLeaderboardIdenticalForOneAndTwoWorkersAndAcrossRuns() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let one = try runSearch(workers: 1, in: dir, name: "one")
        let two = try runSearch(workers: 2, in: dir, name: "two")
        let again = try runSearch(workers: 2, in: dir, name: "again")
        let board = try read(one + "/leaderboard.csv")
        XCTAssertEqual(board.split(separator: "\n").count, 11)
        XCTAssertEqual(withoutSeconds(board), withoutSeconds(try read(two + "/leaderboard.csv")))
        XCTAssertEqual(withoutSeconds(board), withoutSeconds(try read(again + "/leaderboard.csv")))
        for trial in 0..<10 {
            let curve = "/curves/trial-000\(trial).csv"
            XCTAssertEqual(try read(one + curve), try read(two + curve), "curve of trial \(trial)")
        }
        // trials.csv holds the same rows (in finishing order) as the leaderboard.
        let logged = try read(two + "/trials.csv").split(separator: "\n").dropFirst().map(String.init).sorted()
        let ranked = try read(two + "/leaderboard.csv").split(separator: "\n").dropFirst()
            .map { String($0.drop { $0 != "," }.dropFirst()) }.sorted()
        XCTAssertEqual(logged, ranked)
        // Ranked best first by val_accuracy.
        let accuracies = board.split(separator: "\n").dropFirst().map { line -> Double in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f[1...].contains("diverged") ? -1 : Double(String(f[f.count - 2]))!
        }
        XCTAssertEqual(accuracies, accuracies.sorted(by: >))
    }

    func testGridOrderAndCount() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try BinaryHarness.write(#"""
            {"version": 1, "data": {"generator": "sum_mod", "rows": 200}, "seed": 1,
             "space": {"optimizer": ["sgd", "momentum", "adam"], "depth": [0, 1], "lr": [0.01, 0.1], "epochs": 2, "width": 4}}
            """#, to: "grid.json", in: dir)
        let r = try BinaryHarness.run(["start", spec, "--foreground", "--workers", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try read(dir.appendingPathComponent("grid/trials.csv").path).split(separator: "\n")
        XCTAssertEqual(rows[0], "trial,status,diagnosis,optimizer,depth,lr,epochs,width,epochs_run,train_loss,val_loss,train_accuracy,val_accuracy,seconds")
        let byTrial = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { line -> (Int, String) in
            let f = line.split(separator: ",")
            return (Int(f[0])!, f[3...5].joined(separator: ","))
        })
        XCTAssertEqual(byTrial.count, 12)
        var expected = [String]()
        for o in ["sgd", "momentum", "adam"] { for d in ["0", "1"] { for lr in ["0.01", "0.1"] { expected.append("\(o),\(d),\(lr)") } } }
        XCTAssertEqual((0..<12).map { byTrial[$0]! }, expected)
    }

    func testDaemonStartStatusStopAndTail() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try BinaryHarness.write(#"""
            {"version": 1, "data": {"generator": "sum_bin", "rows": 2000}, "strategy": "random", "trials": 400, "seed": 1,
             "workers": 2, "space": {"depth": 2, "width": [32, 64], "lr": {"log_uniform": [0.001, 0.01]}, "epochs": 15, "batch_size": 8}}
            """#, to: "long.json", in: dir)
        let folder = dir.appendingPathComponent("long").path
        let t0 = Date()
        let start = try BinaryHarness.run(["start", spec])
        XCTAssertEqual(start.status, 0, start.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 10, "start returns at once")
        XCTAssertTrue(start.stdout.contains("pid"), start.stdout)
        addTeardownBlock { _ = try? BinaryHarness.run(["stop", folder]) }

        // Rows appear in trials.csv while the daemon runs (what `tail -f` shows).
        var rowCounts = [Int]()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? read(folder + "/trials.csv"))?.split(separator: "\n").count ?? 0
            if rowCounts.last != lines { rowCounts.append(lines) }
            if lines >= 4 { break }
            usleep(50_000)
        }
        XCTAssertGreaterThanOrEqual(rowCounts.last ?? 0, 4, "rows appear while the daemon runs: \(rowCounts)")
        XCTAssertGreaterThan(rowCounts.count, 1, "rows arrive one by one")

        let status = try BinaryHarness.run(["status", folder])
        XCTAssertEqual(status.status, 0)
        XCTAssertTrue(status.stdout.contains("state: running"), status.stdout)
        XCTAssertTrue(status.stdout.contains("/400 done"), status.stdout)

        let second = try BinaryHarness.run(["start", spec])
        XCTAssertEqual(second.status, 75, "a live search is not started twice")

        let stop = try BinaryHarness.run(["stop", folder])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        let after = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(after.stdout.contains("state: stopped, not running"), after.stdout)
        XCTAssertTrue(after.stdout.contains("nnsearch resume"), after.stdout)
        // Every line of trials.csv is whole after the stop.
        let text = try read(folder + "/trials.csv")
        XCTAssertTrue(text.hasSuffix("\n"))
        let fieldCounts = Set(text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).count })
        XCTAssertEqual(fieldCounts.count, 1)

        let again = try BinaryHarness.run(["start", spec])
        XCTAssertEqual(again.status, 69)
        XCTAssertTrue(again.stderr.contains("nnsearch resume"), again.stderr)
    }

    func testDivergedTrialIsRecordedAndSearchGoesOn() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let csv = "x,y\n" + (0..<200).map { "\($0 / 2),\(3 * ($0 / 2) + 1)" }.joined(separator: "\n")
        try BinaryHarness.write(csv, to: "line.csv", in: dir)
        let spec = try BinaryHarness.write(#"""
            {"version": 1, "data": {"csv": "line.csv", "target": "y"}, "task": "regression",
             "space": {"depth": 0, "optimizer": "sgd", "lr": [1, 0.00001], "normalize": ["none", "standardize"], "epochs": 10}}
            """#, to: "line.json", in: dir)
        let r = try BinaryHarness.run(["start", spec, "--foreground"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let board = try read(dir.appendingPathComponent("line/leaderboard.csv").path).split(separator: "\n")
        XCTAssertEqual(board[0], "rank,trial,status,diagnosis,depth,optimizer,lr,normalize,epochs,epochs_run,train_loss,val_loss,train_r2,val_r2,seconds")
        XCTAssertEqual(board.count, 5)
        XCTAssertTrue(board[4].contains(",diverged,diverged,"), "diverged ranks last, diagnosed diverged: \(board)")
        XCTAssertTrue(board[1].contains(",completed,"))
    }

    func testBadSpecsCreateNothing() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let cases: [(String, String, Int32, [String])] = [
            ("malformed", #"{"version": 1, "data": {"generator": "sum_bin"} "space": {}}"#, 64, ["malformed.json:1:", "expected"]),
            ("unknown", #"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"optimiser": "adam"}}"#, 64, ["did you mean \"optimizer\""]),
            ("wrongtype", #"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"depth": "two"}}"#, 64, ["space.depth"]),
            ("range", #"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"dropout": 1.5}}"#, 64, ["space.dropout", "1.5"]),
            ("empty", #"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"width": []}}"#, 64, ["space.width"]),
            ("gridrange", #"{"version": 1, "data": {"generator": "sum_bin"}, "strategy": "grid", "space": {"lr": {"log_uniform": [0.001, 0.1]}}}"#, 64, ["space.lr", "random"]),
            ("missingcsv", #"{"version": 1, "data": {"csv": "nope.csv", "target": "y"}, "space": {}}"#, 65, ["nope.csv"]),
        ]
        for (name, text, status, needles) in cases {
            let spec = try BinaryHarness.write(text, to: "\(name).json", in: dir)
            let r = try BinaryHarness.run(["start", spec])
            XCTAssertEqual(r.status, status, "\(name): \(r.stderr)")
            for needle in needles { XCTAssertTrue(r.stderr.contains(needle), "\(name): \(r.stderr)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "\(name) created a folder")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasSuffix(".json") }
        XCTAssertEqual(leftovers, [])
    }
}
