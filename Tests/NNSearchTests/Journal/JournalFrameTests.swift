import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Framing and scanning the journal: whole records are read with their offsets, damage is skipped
/// with its byte position, and an incomplete last record stays a tail.
final class JournalFrameTests: XCTestCase {
    /// Records of every kind, some with escaped and non-ASCII text, of different lengths.
    static let records: [JournalRecord] = [
        .join(process: "hôte/4242/lq2x9k", host: "hôte", pidSpace: "boot/pid:[4026531836]", pid: 4242, threads: 2, lease: 30,
              time: 1_764_072_000.125),
        .claim(trial: 0, process: "hôte/4242/lq2x9k", upTo: 20, time: 1_764_072_000.5),
        .beat(process: "hôte/4242/lq2x9k", time: 1_764_072_010, epochs: [.init(trial: 0, epoch: 3, epochs: 20)]),
        .finish(trial: 0, process: "hôte/4242/lq2x9k", time: 1_764_072_020.25, metric: 0.125, row: "0,relu,0.01,\"a\tb\",日本"),
        .release(trial: 1, process: "x", epoch: 2, time: 1_764_072_021),
        .leave(process: "hôte/4242/lq2x9k", time: 1_764_072_030, reason: "failed: line 1\nline 2 \\ \0"),
        .stop(by: "me@there", time: 1_764_072_031),
        .resume(by: "me@there", time: 1_764_072_032),
    ]

    // MARK: - Encoding

    func testEncodedLineHasMagicLengthChecksumPayloadAndOneNewline() {
        for record in Self.records {
            let line = JournalFrame.encode(record)
            let payload = Array(record.payload.utf8)
            let expected = Array("@nns1 \(payload.count) \(fnv1aHex(payload)) ".utf8) + payload + [10]
            XCTAssertEqual(line, expected, "\(record)")
            XCTAssertEqual(line.filter { $0 == 10 }.count, 1, "\(record)")
        }
    }

    /// Published FNV-1a 64-bit test vectors.
    func testChecksumIsFNV1a64() {
        for (text, hash) in [("", 0xCBF2_9CE4_8422_2325 as UInt64), ("a", 0xAF63_DC4C_8601_EC8C), ("foobar", 0x8594_4171_F739_67E8)] {
            let got = Array(text.utf8).withUnsafeBytes { JournalFrame.checksum($0) }
            XCTAssertEqual(got, hash, "FNV-1a of \(text.debugDescription)")
        }
    }

    // MARK: - Whole records

    func testScanReadsEveryRecordWithItsOffset() {
        let bytes = encoded(Self.records)
        for base in [0, 1, 4096] {
            let scan = scanned(bytes, base: base)
            XCTAssertEqual(scan.entries, entries(Self.records, from: base))
            XCTAssertEqual(scan.problems, [])
            XCTAssertEqual(scan.settled, base + bytes.count)
            XCTAssertEqual(scan.tail, 0)
        }
    }

    func testEmptyBytesScanToNothing() {
        let scan = scanned([], base: 77)
        XCTAssertEqual(scan, JournalFrame.Scan(entries: [], problems: [], settled: 77, tail: 0))
    }

    /// A valid frame whose payload is not a record is a problem the length of its line; reading goes on.
    func testAFrameWithAnUnreadablePayloadIsAProblem() {
        let payload = Array("claim\tx\tp\t5\t1.000".utf8)
        let bad = Array("@nns1 \(payload.count) \(fnv1aHex(payload)) ".utf8) + payload + [10]
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1])
        let scan = scanned(a + bad + b)
        XCTAssertEqual(scan.entries, [entry(0, Self.records[0]), entry(a.count + bad.count, Self.records[1])])
        XCTAssertEqual(scan.problems.map(\.offset), [a.count])
        XCTAssertEqual(scan.problems.map(\.length), [bad.count])
        XCTAssertTrue(scan.problems.first?.reason.contains("trial") ?? false, "\(scan.problems)")
        XCTAssertEqual(scan.settled, a.count + bad.count + b.count)
        XCTAssertEqual(scan.tail, 0)
    }

    // MARK: - Torn tails

    /// A record cut at every possible length after whole records is a tail (an append in progress or a
    /// killed writer), never a problem, and `settled` stays at its start.
    func testATornLastRecordIsATailAtEveryLength() {
        let whole = encoded(Array(Self.records[0..<2]))
        for torn in Self.records.map(JournalFrame.encode) {
            for k in 1..<torn.count {
                let scan = scanned(whole + torn[0..<k], base: 10)
                XCTAssertEqual(scan.entries, entries(Array(Self.records[0..<2]), from: 10), "cut at \(k) of \(torn.count)")
                XCTAssertEqual(scan.problems, [], "cut at \(k) of \(torn.count)")
                XCTAssertEqual(scan.settled, 10 + whole.count, "cut at \(k) of \(torn.count)")
                XCTAssertEqual(scan.tail, k, "cut at \(k) of \(torn.count)")
            }
        }
    }

    func testATornRecordAloneIsATail() {
        let torn = JournalFrame.encode(Self.records[3])
        for k in 1..<torn.count {
            let scan = scanned(Array(torn[0..<k]))
            XCTAssertEqual(scan, JournalFrame.Scan(entries: [], problems: [], settled: 0, tail: k), "cut at \(k)")
        }
    }

    /// A text field may hold the magic (a leave reason quoting a path, a CSV row): a torn record with
    /// such a payload must still be a tail, or a reader skips it as damage and, reading on from
    /// `settled`, loses the record once the append completes.
    func testATornRecordWhosePayloadHoldsTheMagicIsStillATail() {
        let whole = JournalFrame.encode(Self.records[0])
        let record = JournalRecord.leave(process: "p", time: 1_764_072_040, reason: "failed: cannot read /data/@nns1 run/x.csv")
        let torn = JournalFrame.encode(record)
        var failures: [Int] = []
        for k in 1..<torn.count {
            let scan = scanned(whole + torn[0..<k])
            if scan.problems != [] || scan.settled != whole.count || scan.tail != k { failures.append(k) }
        }
        XCTAssertEqual(failures, [], "cut lengths (of \(torn.count)) at which the torn record was not a tail of its full length")
    }

    // MARK: - Damage

    /// A writer killed mid-append, then another record appended after it (NFS appends fuse this way):
    /// the torn bytes are one problem at their own offset and the following record is read.
    func testATornRecordFollowedByAWholeOneIsAProblemAndTheNextIsRecovered() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1])
        for torn in Self.records[2...].map(JournalFrame.encode) {
            for k in 1..<torn.count {
                let bytes = a + torn[0..<k] + b
                let scan = scanned(bytes, base: 100)
                XCTAssertEqual(scan.entries, [entry(100, Self.records[0]), entry(100 + a.count + k, Self.records[1])],
                               "cut at \(k) of \(torn.count)")
                XCTAssertEqual(scan.problems.map(\.offset), [100 + a.count], "cut at \(k) of \(torn.count)")
                XCTAssertEqual(scan.problems.map(\.length), [k], "cut at \(k) of \(torn.count)")
                XCTAssertFalse(scan.problems.first?.reason.isEmpty ?? true)
                XCTAssertEqual(scan.settled, 100 + bytes.count, "cut at \(k) of \(torn.count)")
                XCTAssertEqual(scan.tail, 0, "cut at \(k) of \(torn.count)")
            }
        }
    }

    /// Two records fused into one line by a lost newline: the first is lost (a problem), the one after is read.
    func testRecordsFusedByAMissingNewline() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1]), c = JournalFrame.encode(Self.records[2])
        let bytes = a + b.dropLast() + c
        let scan = scanned(bytes)
        XCTAssertEqual(scan.entries, [entry(0, Self.records[0]), entry(a.count + b.count - 1, Self.records[2])])
        XCTAssertEqual(scan.problems.map(\.offset), [a.count])
        XCTAssertEqual(scan.problems.map(\.length), [b.count - 1])
        XCTAssertTrue(scan.problems.first?.reason.contains("fused") ?? false, "\(scan.problems)")
        XCTAssertEqual(scan.settled, bytes.count)
        XCTAssertEqual(scan.tail, 0)
    }

    /// Changing any one hex digit of a checksum makes its record a problem; its neighbours are read.
    func testAFlippedChecksumDigitIsAProblem() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[3]), c = JournalFrame.encode(Self.records[4])
        let checksumStart = b.firstIndex(of: UInt8(ascii: " "), after: 6) + 1
        for digit in 0..<16 {
            var damaged = b
            let old = damaged[checksumStart + digit]
            damaged[checksumStart + digit] = old == UInt8(ascii: "7") ? UInt8(ascii: "e") : UInt8(ascii: "7")
            let scan = scanned(a + damaged + c)
            XCTAssertEqual(scan.entries, [entry(0, Self.records[0]), entry(a.count + b.count, Self.records[4])], "digit \(digit)")
            XCTAssertEqual(scan.problems.map(\.offset), [a.count], "digit \(digit)")
            XCTAssertEqual(scan.problems.map(\.length), [b.count], "digit \(digit)")
            XCTAssertTrue(scan.problems.first?.reason.contains("checksum") ?? false, "digit \(digit): \(scan.problems)")
            XCTAssertEqual(scan.settled, a.count + b.count + c.count)
        }
    }

    /// A changed payload byte (a hand edit, a bit flip) no longer matches the checksum.
    func testAChangedPayloadByteIsAProblem() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1]), c = JournalFrame.encode(Self.records[2])
        var damaged = b
        let index = b.count - 3                       // a digit of the claim's time
        damaged[index] = damaged[index] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let scan = scanned(a + damaged + c)
        XCTAssertEqual(scan.entries, [entry(0, Self.records[0]), entry(a.count + b.count, Self.records[2])])
        XCTAssertEqual(scan.problems.map(\.offset), [a.count])
        XCTAssertEqual(scan.problems.map(\.length), [b.count])
    }

    func testANonHexChecksumIsADamagedHeader() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1]), c = JournalFrame.encode(Self.records[2])
        var damaged = b
        damaged[b.firstIndex(of: UInt8(ascii: " "), after: 6) + 1] = UInt8(ascii: "G")
        let scan = scanned(a + damaged + c)
        XCTAssertEqual(scan.entries, [entry(0, Self.records[0]), entry(a.count + b.count, Self.records[2])])
        XCTAssertEqual(scan.problems.map(\.offset), [a.count])
        XCTAssertEqual(scan.problems.map(\.length), [b.count])
        XCTAssertTrue(scan.problems.first?.reason.contains("header") ?? false, "\(scan.problems)")
    }

    func testNULBytesBetweenRecordsAreAProblem() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1])
        for count in [1, 5, 6, 7, 4096] {
            let bytes = a + [UInt8](repeating: 0, count: count) + b
            let scan = scanned(bytes, base: 3)
            XCTAssertEqual(scan.entries, [entry(3, Self.records[0]), entry(3 + a.count + count, Self.records[1])], "\(count) NULs")
            XCTAssertEqual(scan.problems.map(\.offset), [3 + a.count], "\(count) NULs")
            XCTAssertEqual(scan.problems.map(\.length), [count], "\(count) NULs")
            XCTAssertEqual(scan.settled, 3 + bytes.count, "\(count) NULs")
            XCTAssertEqual(scan.tail, 0, "\(count) NULs")
        }
    }

    func testNULBytesAtTheStartAreAProblem() {
        let a = JournalFrame.encode(Self.records[0]), b = JournalFrame.encode(Self.records[1])
        for count in [1, 8, 512] {
            let bytes = [UInt8](repeating: 0, count: count) + a + b
            let scan = scanned(bytes)
            XCTAssertEqual(scan.entries, [entry(count, Self.records[0]), entry(count + a.count, Self.records[1])], "\(count) NULs")
            XCTAssertEqual(scan.problems.map(\.offset), [0], "\(count) NULs")
            XCTAssertEqual(scan.problems.map(\.length), [count], "\(count) NULs")
            XCTAssertEqual(scan.settled, bytes.count, "\(count) NULs")
        }
    }

    /// Bytes after the last record that no record follows may still be an append in progress: a tail.
    func testGarbageAtTheEndIsATail() {
        let a = encoded(Array(Self.records[0..<3]))
        for garbage in ["garbage\n", "\0\0\0\0", "@nns1 12 zz", "@nns1 x", "@nn", "not a record @nns", "@nns1 9999999999 "] {
            let tail = Array(garbage.utf8)
            let scan = scanned(a + tail)
            XCTAssertEqual(scan.entries, entries(Array(Self.records[0..<3])), garbage.debugDescription)
            XCTAssertEqual(scan.problems, [], garbage.debugDescription)
            XCTAssertEqual(scan.settled, a.count, garbage.debugDescription)
            XCTAssertEqual(scan.tail, tail.count, garbage.debugDescription)
        }
    }

    // MARK: - Incremental reads

    /// Reading a file in two parts — the first up to any offset, the second from where the first
    /// settled — gives the same records (and the same damage) as reading it at once.
    func testTwoReadsSplitAtEveryOffsetEqualOneRead() {
        let bytes = damagedJournal()
        let whole = scanned(bytes)
        XCTAssertEqual(whole.entries.count, Self.records.count, "the journal's damage hides no whole record")
        XCTAssertEqual(whole.problems.count, 3)
        for split in 0...bytes.count {
            let first = scanned(Array(bytes[0..<split]))
            XCTAssertEqual(first.settled + first.tail, split, "split at \(split)")
            let second = scanned(Array(bytes[first.settled...]), base: first.settled)
            XCTAssertEqual(first.entries + second.entries, whole.entries, "split at \(split)")
            XCTAssertEqual((first.problems + second.problems).map(\.offset), whole.problems.map(\.offset), "split at \(split)")
            XCTAssertEqual((first.problems + second.problems).map(\.length), whole.problems.map(\.length), "split at \(split)")
            XCTAssertEqual(second.settled, bytes.count, "split at \(split)")
            XCTAssertEqual(second.tail, 0, "split at \(split)")
        }
    }

    /// A reader polling while the file grows one byte at a time, each read from the last `settled`,
    /// ends with exactly the records of one read.
    func testReadingAGrowingFileByteByByteEqualsOneRead() {
        let bytes = damagedJournal()
        let whole = scanned(bytes)
        var settled = 0
        var seen: [JournalFrame.Entry] = []
        var problems: [JournalFrame.Problem] = []
        for end in 1...bytes.count {
            let scan = scanned(Array(bytes[settled..<end]), base: settled)
            XCTAssertGreaterThanOrEqual(scan.settled, settled)
            seen += scan.entries
            problems += scan.problems
            settled = scan.settled
        }
        XCTAssertEqual(seen, whole.entries)
        XCTAssertEqual(problems.map(\.offset), whole.problems.map(\.offset))
        XCTAssertEqual(settled, bytes.count)
    }

    // MARK: - Helpers

    /// Every record of `records`, with a torn record fused to the next, NULs, and a flipped checksum among them.
    private func damagedJournal() -> [UInt8] {
        let lines = Self.records.map(JournalFrame.encode)
        var flipped = lines[5]
        flipped[flipped.count - 2] ^= 0x01
        return lines[0] + lines[1] + Array(lines[3].prefix(29)) + lines[2] + lines[3] + [0, 0, 0, 0, 0, 0, 0] + lines[4]
            + flipped + lines[5] + lines[6] + lines[7]
    }

    private func encoded(_ records: [JournalRecord]) -> [UInt8] { records.flatMap(JournalFrame.encode) }

    private func scanned<C: Collection>(_ bytes: C, base: Int = 0) -> JournalFrame.Scan where C.Element == UInt8 {
        Array(bytes).withUnsafeBytes { JournalFrame.scan($0, base: base) }
    }

    private func entry(_ offset: Int, _ record: JournalRecord) -> JournalFrame.Entry { .init(offset: offset, record: record) }

    /// `records` as entries of a file made of exactly their lines, starting at `base`.
    private func entries(_ records: [JournalRecord], from base: Int = 0) -> [JournalFrame.Entry] {
        var offset = base
        return records.map { record in
            defer { offset += JournalFrame.encode(record).count }
            return entry(offset, record)
        }
    }

    /// FNV-1a 64 in 16 lowercase hex digits, computed here independently of the code under test.
    private func fnv1aHex(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in bytes { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

private extension Array where Element == UInt8 {
    /// The index of the first `byte` at or after `start`.
    func firstIndex(of byte: UInt8, after start: Int) -> Int {
        self[start...].firstIndex(of: byte)!
    }
}
