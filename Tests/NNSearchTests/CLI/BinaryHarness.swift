import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Runs the built `nnsearch` binary and captures what it printed.
struct BinaryHarness {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `nnsearch` executable next to the test bundle (`swift test` builds it first).
    static var executable: URL {
        let dir = Bundle.main.bundleURL
        let candidates = [dir.appendingPathComponent("nnsearch"), dir.deletingLastPathComponent().appendingPathComponent("nnsearch")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `nnsearch ARGS` in `directory` and waits for it to exit.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes before waiting, so a full pipe can never block the child.
        let outData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        let reader = out.fileHandleForReading
        DispatchQueue.global().async {
            let data = reader.readDataToEndOfFile()
            outData.withLock { $0 = data }
            group.leave()
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData.current, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The pids of this machine's worker processes on `folder` that are running now (from its journal).
    static func workerPids(_ folder: String) -> [Int32] {
        guard let s = try? SearchSnapshot(SearchFolder(folder)) else { return [] }
        return s.state.processes.values
            .filter { $0.left == nil && $0.pidSpace == localPidSpace && Daemon.isAlive($0.pid) }
            .map(\.pid).sorted()
    }

    /// Waits until no worker process of this machine runs on `folder` (exited or killed).
    static func waitUntilIdle(_ folder: String, timeout: Double = 60) {
        let deadline = Date().addingTimeInterval(timeout)
        while !workerPids(folder).isEmpty && Date() < deadline { usleep(5_000) }
    }

    /// Waits until every worker process of this machine that ever joined `folder` has exited: a
    /// worker goes on after its leave is recorded (the last one writes the final report then).
    static func waitUntilExited(_ folder: String, timeout: Double = 60) {
        let deadline = Date().addingTimeInterval(timeout)
        func alive() -> Bool {
            guard let s = try? SearchSnapshot(SearchFolder(folder)) else { return false }
            return s.state.processes.values.contains { $0.pidSpace == localPidSpace && Daemon.isAlive($0.pid) }
        }
        while alive() && Date() < deadline { usleep(5_000) }
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnsearch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Writes `text` to `name` in `dir` and returns its path.
    @discardableResult
    static func write(_ text: String, to name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

extension XCTestCase {
    /// A file's text, or "" when it cannot be read.
    func readFile(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Every CSV line without its last field (`seconds`, the one column that differs between runs).
    func withoutSeconds(_ csv: String) -> [String] {
        csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
    }

    /// A fresh directory holding `spec` as `s.json` and an uninterrupted one-thread run of it in `reference`.
    func referenceRun(_ spec: String) throws -> (dir: URL, spec: String, reference: String) {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let specPath = try BinaryHarness.write(spec, to: "s.json", in: dir)
        let reference = dir.appendingPathComponent("reference").path
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "1", "--out", reference])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (dir, specPath, reference)
    }

    /// `folder`'s results equal the reference's: the leaderboard and every curve byte for byte (minus
    /// `seconds`), trials.csv one header and the same rows in some order, no checkpoint left, the
    /// same `keep` models kept.
    func assertSameResults(_ folder: String, as reference: String, trials: Int, keep: Int = 5,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(withoutSeconds(readFile(folder + "/leaderboard.csv")), withoutSeconds(readFile(reference + "/leaderboard.csv")),
                       "leaderboard", file: file, line: line)
        for n in 0..<trials {
            let curve = "/curves/trial-" + SearchFolder.paddedNumber(n) + ".csv"
            XCTAssertEqual(readFile(folder + curve), readFile(reference + curve), "curve \(n)", file: file, line: line)
        }
        let rows = withoutSeconds(readFile(folder + "/trials.csv")), expected = withoutSeconds(readFile(reference + "/trials.csv"))
        XCTAssertEqual(rows.count, trials + 1, "a header and one row per trial", file: file, line: line)
        XCTAssertEqual(rows.first, expected.first, "one header", file: file, line: line)
        XCTAssertEqual(rows.dropFirst().sorted(), expected.dropFirst().sorted(), "trials.csv", file: file, line: line)
        let checkpoints = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/checkpoints")) ?? []).filter { $0.hasSuffix(".ckpt") }
        XCTAssertEqual(checkpoints, [], "finished trials leave no checkpoint", file: file, line: line)
        assertKeptModels(folder, as: reference, keep: keep, file: file, line: line)
    }

    /// Resumes the search in `folder` (1 or 2 workers, alternating) and kills its workers with
    /// SIGKILL once its journal has grown by 2 to 1 + `lines` lines and up to `jitter` µs more, until
    /// it finishes, `kills` runs were cut short, or 30 runs; returns the kills and the runs.
    func killNineAndResume(_ folder: String, seed: UInt64, kills most: Int, lines: Int, jitter: Int,
                           file: StaticString = #filePath, line: UInt = #line) throws -> (kills: Int, runs: Int) {
        var random = Random(seed: seed)
        var kills = 0, runs = 0
        func journalLines() -> Int { (FileManager.default.contents(atPath: folder + "/journal") ?? Data()).reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
        while (try? SearchSnapshot(SearchFolder(folder)).phase) != .finished && runs < 30 && kills < most {
            runs += 1
            let r = try BinaryHarness.run(["resume", folder, "--workers", String(1 + runs % 2)])
            XCTAssertTrue(r.status == 0 || r.stderr.contains("exited at once"), r.stderr, file: file, line: line)
            let target = journalLines() + 2 + random.next(below: lines)
            let deadline = Date().addingTimeInterval(10)
            while journalLines() < target && !BinaryHarness.workerPids(folder).isEmpty && Date() < deadline { usleep(500) }
            usleep(UInt32(random.next(below: jitter)))
            for pid in BinaryHarness.workerPids(folder) { kill(pid, SIGKILL) }
            BinaryHarness.waitUntilIdle(folder)
            if (try? SearchSnapshot(SearchFolder(folder)).phase) != .finished { kills += 1 }
        }
        return (kills, runs)
    }

    /// Runs `nnsearch worker folder --workers T` for each T at once, waits for all, and checks they exited 0.
    func runWorkerProcesses(_ folder: String, threads: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let processes = try threads.enumerated().map { i, t in
            (try launch(["worker", folder, "--workers", String(t)], log: folder + "/worker-\(i).log"), i)
        }
        for (p, i) in processes {
            waitForExit(p, file: file, line: line)
            XCTAssertEqual(p.terminationStatus, 0, readFile(folder + "/worker-\(i).log"), file: file, line: line)
        }
    }

    /// Starts `nnsearch ARGS` without waiting; its output goes to `log`; killed if still running when the test ends.
    func launch(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = BinaryHarness.executable
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        addTeardownBlock { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        return process
    }

    /// Waits for a launched process to exit, failing the test if it is still running after `timeout` seconds.
    func waitForExit(_ process: Process, timeout: Double = 120, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(process.isRunning, "process \(process.processIdentifier) still running after \(timeout) s", file: file, line: line)
    }
}
