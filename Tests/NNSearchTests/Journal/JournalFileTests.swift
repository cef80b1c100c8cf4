import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// The journal file: appended records read back with their offsets, incremental reads, and cutting a torn tail.
final class JournalFileTests: XCTestCase {
    private let records: [JournalRecord] = [
        .join(process: "h/1/a", host: "h", pidSpace: "s", pid: 1, threads: 2, lease: 30, time: 1_764_072_000),
        .claim(trial: 0, process: "h/1/a", upTo: 20, time: 1_764_072_001),
        .finish(trial: 0, process: "h/1/a", time: 1_764_072_002.5, metric: 0.25, row: "0,relu,\"x\ty\""),
        .leave(process: "h/1/a", time: 1_764_072_003, reason: "done"),
    ]

    func testAppendedRecordsReadBackWithTheirOffsets() throws {
        let dir = try BinaryHarness.temporaryDirectory(self).path
        let file = try JournalFile(directory: dir)
        XCTAssertEqual(file.path, dir + "/journal")
        XCTAssertEqual(file.size, 0)
        try file.append([records[0], records[1]])
        try file.append([records[2]])
        try file.append([])
        let lengths = records.map { JournalFrame.encode($0).count }

        let scan = try file.read(from: 0)
        XCTAssertEqual(scan.entries.map(\.record), Array(records[0..<3]))
        XCTAssertEqual(scan.entries.map(\.offset), [0, lengths[0], lengths[0] + lengths[1]])
        XCTAssertEqual(scan.problems, [])
        XCTAssertEqual(scan.settled, lengths[0] + lengths[1] + lengths[2])
        XCTAssertEqual(file.size, scan.settled)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file.path)), Data(records[0..<3].flatMap(JournalFrame.encode)))

        // An incremental read from where the last one settled sees only what came after.
        try file.append([records[3]])
        let next = try file.read(from: scan.settled)
        XCTAssertEqual(next.entries, [JournalFrame.Entry(offset: scan.settled, record: records[3])])
        XCTAssertEqual(next.settled, file.size)
        XCTAssertEqual(try file.read(from: file.size), JournalFrame.Scan(settled: file.size, tail: 0))

        // Another handle on the same file (another process) reads the same.
        let other = try JournalFile(directory: dir, create: false)
        XCTAssertEqual(try other.read(from: 0).entries.map(\.record), records)
    }

    func testCutAtAnOffsetDropsEverythingAfterIt() throws {
        let dir = try BinaryHarness.temporaryDirectory(self).path
        let file = try JournalFile(directory: dir)
        try file.append(records)
        let second = JournalFrame.encode(records[0]).count
        try file.cut(at: second)
        XCTAssertEqual(file.size, second)
        XCTAssertEqual(try file.read(from: 0).entries.map(\.record), [records[0]])
        try file.append([records[3]])
        let scan = try file.read(from: 0)
        XCTAssertEqual(scan.entries, [JournalFrame.Entry(offset: 0, record: records[0]), JournalFrame.Entry(offset: second, record: records[3])])
        XCTAssertEqual(scan.problems, [])
    }

    /// A writer killed mid-append leaves a tail; the lock holder cuts it at `settled` and appends cleanly after.
    func testATornTailIsCutAtSettledAndAppendsContinue() throws {
        let dir = try BinaryHarness.temporaryDirectory(self).path
        let file = try JournalFile(directory: dir)
        try file.append([records[0]])
        let torn = Array(JournalFrame.encode(records[1]).prefix(20))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file.path))
        handle.seekToEndOfFile()
        handle.write(Data(torn))
        handle.closeFile()

        let scan = try file.read(from: 0)
        XCTAssertEqual(scan.entries.map(\.record), [records[0]])
        XCTAssertEqual(scan.problems, [])
        XCTAssertEqual(scan.tail, torn.count)
        try file.cut(at: scan.settled)
        try file.append([records[2]])
        let after = try file.read(from: 0)
        XCTAssertEqual(after.entries.map(\.record), [records[0], records[2]])
        XCTAssertEqual(after.problems, [])
        XCTAssertEqual(after.tail, 0)
    }

    func testOpeningAMissingJournalWithoutCreateSaysSo() throws {
        let dir = try BinaryHarness.temporaryDirectory(self).path
        XCTAssertThrowsError(try JournalFile(directory: dir, create: false)) { error in
            XCTAssertEqual((error as? NNSearchError)?.kind, .noInput)
            XCTAssertTrue("\(error)".contains("has no journal"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/journal"))
    }
}
