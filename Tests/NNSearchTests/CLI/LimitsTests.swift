import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Issue 12 on the built binary: a space too large for memory, data files that are not CSV,
/// tiny splits, long values, other tools' names, ranking ties, a detached start on a CSV file
/// (parsed once, by its worker) and the memory loading a CSV takes.
final class LimitsTests: XCTestCase {
    /// Runs `nnsearch ARGS` and asserts its status, that every part is in its stderr, and that it did not crash.
    @discardableResult
    private func expect(_ arguments: [String], status: Int32, _ parts: [String], in directory: URL? = nil,
                        file: StaticString = #filePath, line: UInt = #line) throws -> BinaryHarness.Result {
        let r = try BinaryHarness.run(arguments, in: directory)
        XCTAssertEqual(r.status, status, "\(arguments): \(r.stdout)\(r.stderr)", file: file, line: line)
        for part in parts where !r.stderr.contains(part) {
            XCTFail("\(arguments): stderr lacks \"\(part)\": \(r.stderr)", file: file, line: line)
        }
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        return r
    }

    // MARK: - 1. Memory

    func testASpaceLargerThanMemoryIsRefusedBeforeAnythingIsCreated() throws {
        if let machine = MemoryBudget.machineAvailable(), machine.bytes > 400_000_000_000 {
            throw XCTSkip("this machine has \(formatBytes(machine.bytes)) available: the issue's space would fit")
        }
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try BinaryHarness.write(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 160}, "space": {"depth": 64, "width": 16384, "epochs": 1}}"#,
                                           to: "huge.json", in: dir)
        let out = dir.appendingPathComponent("huge").path
        let said = ["huge.json: space: the largest configuration (depth 64, width 16384, batch_size 32, optimizer adam) needs about",
                    "GB per trial (", "but only", "what fits: width ≤", "or depth ≤"]
        for arguments in [["start", spec], ["start", spec, "--foreground"], ["init", spec]] {
            try expect(arguments + ["--out", out], status: 64, said)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(arguments) created \(out)")
        }
        try expect(["train", spec], status: 64, ["huge.json: the configuration (depth 64, width 16384", "what fits"])

        // "max_memory" lowers the bound below what the machine has.
        let bounded = try BinaryHarness.write(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 200}, "workers": 2, "max_memory": "20MB","#
            + #" "space": {"depth": 2, "width": [64, 2048], "epochs": 1}}"#, to: "bounded.json", in: dir)
        try expect(["init", bounded, "--out", out], status: 64,
                    ["bounded.json: space: the largest configuration (depth 2, width 2048", "× 2 workers", "\"max_memory\" allows only 20 MB", "width ≤"])

        // A worker (and so a resume) checks the folder's spec against this machine before joining.
        let fits = try BinaryHarness.write(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 200}, "space": {"depth": 2, "width": 2048, "epochs": 1}}"#,
                                           to: "fits.json", in: dir)
        try expect(["init", fits, "--out", out], status: 0, [])
        let copy = out + "/spec.json"
        let text = try String(contentsOfFile: copy, encoding: .utf8)
        try text.replacingOccurrences(of: "{", with: "{\n  \"max_memory\": \"2MB\",", options: [], range: text.range(of: "{"))
            .write(toFile: copy, atomically: true, encoding: .utf8)
        try expect(["worker", out], status: 64, ["spec.json: space: the largest configuration (depth 2, width 2048", "\"max_memory\" allows only 2 MB"])
        try expect(["resume", out], status: 64, ["exited with status 64 before joining", "\"max_memory\" allows only 2 MB"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: copy), "resume never removes a folder")
    }

    // MARK: - 6. Wrong words

    func testDataFilesThatAreNotCSVSayWhatTheyAre() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let utf16 = dir.appendingPathComponent("excel.csv")
        try Data([0xFF, 0xFE] + "a,y\n1,0\n2,1\n3,0\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: utf16)
        let cases: [(csv: String, parts: [String])] = [
            ("/dev/null", ["data.csv: \"/dev/null\": is a character device, not a CSV file"]),
            (dir.path, ["is a directory, not a CSV file"]),
            (utf16.path, ["excel.csv: the file is UTF-16 text (little-endian, byte order mark FF FE), not UTF-8; save it as UTF-8"]),
        ]
        for (csv, parts) in cases {
            let spec = try BinaryHarness.write(#"{"version": 1, "data": {"csv": ""# + csv + #"", "target": "y"}, "space": {"epochs": 1}}"#,
                                               to: "s.json", in: dir)
            for command in [["init"], ["start"], ["train"]] {
                let r = try expect(command + [spec] + (command == ["train"] ? [] : ["--out", dir.appendingPathComponent("o").path]),
                                   status: 65, parts)
                XCTAssertFalse(r.stderr.lowercased().contains("permission"), r.stderr)
                XCTAssertFalse(r.stderr.contains("did you mean"), "no column-name guess for an encoding problem: \(r.stderr)")
            }
        }
    }

    func testATinySplitNamesTheSpecAndCountsRowsGrammatically() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try BinaryHarness.write(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 2}, "space": {"epochs": 1}}"#, to: "two.json", in: dir)
        let out = dir.appendingPathComponent("two").path
        for command in [["init", spec, "--out", out], ["start", spec, "--out", out], ["train", spec]] {
            let r = try expect(command, status: 65, ["two.json: data (generator sum_bin, 2 rows): the training split (1 row of 2, \"validation\": 0.2) has a single class"])
            XCTAssertFalse(r.stderr.contains("1 rows"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testLongValuesAreCutListsCountedAndOtherToolsNamesAnswered() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let long = String(repeating: "x", count: 102_400)
        let spec = { (space: String) in
            try BinaryHarness.write(#"{"version": 1, "data": {"generator": "sum_bin"}, "space": "# + space + "}", to: "s.json", in: dir)
        }
        let r = try expect(["init", try spec(#"{"optimizer": ""# + long + #""}"#)], status: 64,
                           ["space.optimizer: \"xxxxxxxx", "…(102,402 characters) is not allowed for optimizer"])
        XCTAssertLessThan(r.stderr.count, 1_000, "a 100 KB value is not echoed whole")
        try expect(["init", try spec(#"{"lr": {"uniform": [0.1]}}"#)], status: 64,
                   ["space.lr.uniform: expected a list of two numbers [LOW, HIGH], found a list of one value"])
        for (alias, name) in [("learning_rate", "lr"), ("lr_schedule", "schedule"), ("hidden_layers", "depth"), ("units", "width"),
                              ("n_epochs", "epochs"), ("optim", "optimizer")] {
            try expect(["init", try spec(#"{""# + alias + #"": 1}"#)], status: 64,
                       ["space.\(alias): unknown hyperparameter \"\(alias)\" (did you mean \"\(name)\"?)"])
        }
        try expect(["train", try spec("{}"), "--set", "learning_rate=0.1"], status: 64,
                   ["--set learning_rate: unknown hyperparameter \"learning_rate\" (did you mean \"lr\"?)"])
    }

    // MARK: - 7. Ranking ties

    /// With 8 validation rows accuracy takes 9 values, so 16 trials tie; every view ranks a tie
    /// by the lower validation loss, then the trial number, and all name the same best trial.
    func testTiesRankByValidationLossInEveryView() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let spec = try BinaryHarness.write(#"{"version": 1, "data": {"generator": "sum_bin", "rows": 40, "seed": 3}, "seed": 5,"#
            + #" "space": {"depth": [1, 2], "lr": [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1], "epochs": 3, "batch_size": 8}}"#,
                                           to: "ties.json", in: dir)
        let out = dir.appendingPathComponent("ties").path
        try expect(["start", spec, "--foreground", "--workers", "2", "--out", out], status: 0, [])
        let rows = try CSVParser.records(Array(try String(contentsOfFile: out + "/leaderboard.csv", encoding: .utf8).utf8))
        let header = rows[0].fields
        let trial = header.firstIndex(of: "trial")!, status = header.firstIndex(of: "status")!
        let accuracy = header.firstIndex(of: "val_accuracy")!, loss = header.firstIndex(of: "val_loss")!
        let completed = rows.dropFirst().filter { $0.fields[status] == "completed" }.map(\.fields)
        var ties = 0, byLossNotNumber = 0
        for (a, b) in zip(completed, completed.dropFirst()) where a[accuracy] == b[accuracy] {
            ties += 1
            if Int(a[trial])! > Int(b[trial])! { byLossNotNumber += 1 }
            let (la, lb) = (Double(a[loss])!, Double(b[loss])!)
            XCTAssertTrue(la < lb || (la == lb && Int(a[trial])! < Int(b[trial])!),
                          "trial \(a[trial]) (val_loss \(la)) ranks before trial \(b[trial]) (val_loss \(lb)) at accuracy \(a[accuracy])")
        }
        XCTAssertGreaterThan(byLossNotNumber, 0, "the search was meant to have ties that trial numbers would order otherwise (\(ties) ties)")
        let best = completed[0][trial]
        let status_ = try BinaryHarness.run(["status", out])
        XCTAssertTrue(status_.stdout.contains("best: trial \(best),"), status_.stdout)
        let explain = try BinaryHarness.run(["explain", out])
        XCTAssertTrue(explain.stdout.contains("The best is trial \(best):"), explain.stdout)
        let list = try BinaryHarness.run(["list", dir.path])
        XCTAssertTrue(list.stdout.contains("(trial \(best))"), list.stdout)
        try expect(["report", out], status: 0, [])
        let page = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(page.contains("<tbody>\n<tr><td class=\"num\">1</td><td class=\"num\">\(best)</td>"), "the report's first row is trial \(best)")
    }

    // MARK: - 10. A detached start on a CSV file

    private func writeCSV(rows: Int, badAtRow: Int? = nil, to name: String, in dir: URL) throws -> String {
        var random = Random(seed: 9)
        var text = "a,b,y\n"
        for row in 1...rows {
            let a = random.nextDouble(), b = random.nextDouble()
            text += row == badAtRow ? "\(a),oops,1\n" : "\(a),\(b),\(a + b > 1 ? 1 : 0)\n"
        }
        return try BinaryHarness.write(text, to: name, in: dir)
    }

    /// Its worker loads the file once: the start itself reads the header and first rows only, so
    /// a bad cell past them is the worker's to find; start then exits with its status and reason
    /// and removes the folder it made.
    func testADetachedStartLeavesTheCSVToItsWorker() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        _ = try writeCSV(rows: 1_500, badAtRow: 1_400, to: "late.csv", in: dir)
        _ = try writeCSV(rows: 1_500, to: "good.csv", in: dir)
        let late = try BinaryHarness.write(#"{"version": 1, "data": {"csv": "late.csv", "target": "y"}, "space": {"epochs": 1}}"#, to: "late.json", in: dir)
        let out = dir.appendingPathComponent("late").path
        try expect(["start", late, "--out", out], status: 65,
                   ["worker process (pid", "exited with status 65 before joining", "late.csv:1401:", "column \"b\": \"oops\" is not a number",
                    "(nothing ran: \(out) was removed)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        try expect(["init", late, "--out", out], status: 65, ["late.csv:1401:"])

        let good = try BinaryHarness.write(#"{"version": 1, "data": {"csv": "good.csv", "target": "y"}, "space": {"epochs": 2, "width": [4, 8]}}"#,
                                           to: "good.json", in: dir)
        let folder = dir.appendingPathComponent("good").path
        let r = try expect(["start", good, "--out", folder], status: 0, [])
        XCTAssertTrue(r.stdout.contains("started search in \(folder)"), r.stdout)
        BinaryHarness.waitUntilIdle(folder)
        let origin = SearchOrigin.read(SearchFolder(folder))
        XCTAssertFalse(origin.isPending, "the worker recorded what loading the data told")
        XCTAssertEqual(origin.task, .classification)
        XCTAssertEqual(origin.metric, .valAccuracy)
        XCTAssertEqual(origin.chance?.validationRows, 300)
        XCTAssertNotNil(origin.fingerprint)
        let status = try BinaryHarness.run(["status", folder])
        XCTAssertTrue(status.stdout.contains("state: finished"), status.stdout)
    }

    /// Loading a CSV file holds its features and targets, not the file: the peak grows by less
    /// than twice the file's size (measured with GNU time, when the machine has it).
    func testLoadingACSVPeaksBelowTwiceItsSize() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("no /usr/bin/time") }
        let dir = try BinaryHarness.temporaryDirectory(self)
        var random = Random(seed: 4)
        var bytes = Array(((0..<10).map { "x\($0)" }.joined(separator: ",") + ",y\n").utf8)
        bytes.reserveCapacity(20_100_000)
        while bytes.count < 20_000_000 {   // rows of ten "-0.123456,"-like cells and a class
            for _ in 0..<10 {
                if random.next(below: 2) == 0 { bytes.append(UInt8(ascii: "-")) }
                bytes += [UInt8(ascii: "0"), UInt8(ascii: ".")]
                for _ in 0..<6 { bytes.append(UInt8(ascii: "0") + UInt8(random.next(below: 10))) }
                bytes.append(UInt8(ascii: ","))
            }
            bytes += [UInt8(ascii: random.next(below: 2) == 0 ? "0" : "1"), UInt8(ascii: "\n")]
        }
        try Data(bytes).write(to: dir.appendingPathComponent("big.csv"))
        try BinaryHarness.write("x0,y\n1,0\n2,1\n3,0\n4,1\n5,0\n", to: "tiny.csv", in: dir)
        func peakKB(_ csv: String) throws -> Int {
            let spec = try BinaryHarness.write(#"{"version": 1, "data": {"csv": ""# + csv + #"", "target": "y"}, "task": "classification", "space": {"epochs": 1}}"#,
                                               to: "\(csv).json", in: dir)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
            process.arguments = ["-f", "%M", BinaryHarness.executable.path, "init", spec, "--out", dir.appendingPathComponent("o-\(csv)").path]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, output)
            return Int(output.split(separator: "\n").last.map(String.init) ?? "") ?? 0
        }
        let size = bytes.count / 1024
        let baseline = try peakKB("tiny.csv"), peak = try peakKB("big.csv")
        XCTAssertGreaterThan(baseline, 0)
        XCTAssertLessThan(peak - baseline, 2 * size, "loading a \(size) KB file took \(peak - baseline) KB over the \(baseline) KB baseline")
    }
}
