import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The payload text of journal records: every kind round-trips, text fields survive any character,
/// and malformed payloads are refused with a description that names what is wrong.
final class JournalRecordTests: XCTestCase {
    /// Text fields that need every escape, that look like escapes without being any, and non-ASCII.
    static let awkwardTexts = [
        "plain", "", "tab\there", "new\nline", "cr\rand\r\ncrlf", "back\\slash", "\\t is not a tab", "\\0 is not a NUL",
        "nul\0inside", "\0", "ends with a backslash\\", "\\\\", "é ü ß 日本語 🧪", "\t\n\r\0\\", "e\u{301} and \\\u{301}",
        "\t\u{301} a combining mark after a tab", "\u{301} starts with a combining mark", "host/1234/lq2x9k", "failed: cannot open /tmp/a\tb.csv",
    ]

    /// Times with millisecond precision (what the payload keeps), including ones with no exact binary form.
    static let times: [Double] = [0, 1_764_072_000, 1_764_072_000.125, 1_764_072_000.001, 1_764_072_000.999, 0.5]

    // MARK: - Round trips

    func testJoinRoundTrips() {
        for text in Self.awkwardTexts {
            assertRoundTrip(.join(process: text, host: "h", pidSpace: "s", pid: 7, threads: 2, lease: 30, time: 1_764_072_000.5))
            assertRoundTrip(.join(process: "p", host: text, pidSpace: "s", pid: 7, threads: 2, lease: 30, time: 1_764_072_000.5))
            assertRoundTrip(.join(process: "p", host: "h", pidSpace: text, pid: 7, threads: 2, lease: 30, time: 1_764_072_000.5))
        }
        for (pid, threads, lease) in [(Int32(1), 0, 0.001), (Int32.max, 64, 2.25), (4242, 1, 0.30000000000000004), (9, 3, 1e9)] {
            for time in Self.times {
                assertRoundTrip(.join(process: "p", host: "h", pidSpace: "boot/pid:[4026531836]", pid: pid, threads: threads,
                                      lease: lease, time: time))
            }
        }
    }

    func testBeatRoundTrips() {
        let lists: [[JournalRecord.TrialEpoch]] = [
            [],
            [.init(trial: 0, epoch: 0, epochs: 0)],
            [.init(trial: 3, epoch: 2, epochs: 10), .init(trial: 17, epoch: 9, epochs: 9), .init(trial: 123_456, epoch: 1, epochs: 500)],
        ]
        for text in Self.awkwardTexts {
            for epochs in lists {
                assertRoundTrip(.beat(process: text, time: 1_764_072_000.25, epochs: epochs))
            }
        }
        for time in Self.times { assertRoundTrip(.beat(process: "p", time: time, epochs: lists[2])) }
    }

    func testLeaveRoundTrips() {
        for text in Self.awkwardTexts {
            assertRoundTrip(.leave(process: text, time: 1_764_072_000.75, reason: "done"))
            assertRoundTrip(.leave(process: "p", time: 1_764_072_000.75, reason: text))
            assertRoundTrip(.leave(process: "p", time: 1_764_072_000.75, reason: "failed: " + text))
        }
        for time in Self.times { assertRoundTrip(.leave(process: "p", time: time, reason: "time limit")) }
    }

    func testClaimAndReleaseRoundTrip() {
        for text in Self.awkwardTexts {
            assertRoundTrip(.claim(trial: 3, process: text, upTo: 20, time: 1_764_072_000.5))
            assertRoundTrip(.release(trial: 3, process: text, epoch: 7, time: 1_764_072_000.5))
        }
        for (trial, count) in [(0, 0), (1, 1), (99_999, 1000), (999_999_999_999_999_999, 999_999_999_999_999_999)] {
            for time in Self.times {
                assertRoundTrip(.claim(trial: trial, process: "p", upTo: count, time: time))
                assertRoundTrip(.release(trial: trial, process: "p", epoch: count, time: time))
            }
        }
    }

    func testFinishRoundTrips() {
        for text in Self.awkwardTexts {
            assertRoundTrip(.finish(trial: 4, process: text, time: 1_764_072_000.5, metric: 0.25, row: "4,relu,0.01"))
            assertRoundTrip(.finish(trial: 4, process: "p", time: 1_764_072_000.5, metric: 0.25, row: "4," + text))
        }
        for metric in [0, 0.1, -0.5, 1e-300, -2.5e-300, 1e300, 123_456.789, 0.30000000000000004, 1e15, 3, .infinity, -.infinity] {
            assertRoundTrip(.finish(trial: 0, process: "p", time: 1_764_072_000.5, metric: metric, row: "0,x"))
        }
    }

    func testReachedRoundTrips() {
        for text in Self.awkwardTexts {
            assertRoundTrip(.reached(trial: 4, process: text, epoch: 3, time: 1_764_072_000.5, metric: 0.25, seconds: 1.5, row: "4,pruned,0.01"))
            assertRoundTrip(.reached(trial: 4, process: "p", epoch: 3, time: 1_764_072_000.5, metric: 0.25, seconds: 0, row: "4," + text))
        }
        for metric in [0, 0.5, -3.25, 1e300, .infinity, -.infinity] {
            for (trial, epoch) in [(0, 1), (99_999, 27), (7, 999_999)] {
                assertRoundTrip(.reached(trial: trial, process: "p", epoch: epoch, time: 1_764_072_000.125, metric: metric,
                                         seconds: 0.30000000000000004, row: "\(trial),x"))
            }
        }
        XCTAssertEqual(JournalRecord.reached(trial: 1, process: "p", epoch: 3, time: 1, metric: 0.5, seconds: 0.25, row: "1,a").payload,
                       "reached\t1\tp\t3\t1.000\t0.5\t0.25\t1,a")
        assertRefused("reached\t1\tp\t3\t1.000\t0.5\t1,a", mentioning: ["reached", "6 fields", "expected 7"])
        assertRefused("reached\t1\tp\tx\t1.000\t0.5\t0\t1,a", mentioning: ["reached", "epoch", "\"x\""])
        assertRefused("reached\t1\tp\t3\t1.000\t0.5\t-1\t1,a", mentioning: ["reached", "seconds", "negative"])
        assertRefused("reached\t1\tp\t3\t1.000\t0.5\tnan\t1,a", mentioning: ["reached", "seconds", "not a number"])
    }

    /// NaN (a diverged trial) is written `nan` and read back as NaN (not equal to itself, so matched by hand).
    func testFinishWithNaNMetricRoundTrips() throws {
        let record = JournalRecord.finish(trial: 2, process: "p\tq", time: 1_764_072_000.5, metric: .nan, row: "2,diverged\n")
        XCTAssertTrue(record.payload.contains("\tnan\t"), record.payload)
        let back = try JournalRecord(payload: Substring(record.payload))
        guard case let .finish(trial, process, time, metric, row) = back else { return XCTFail("read back as \(back)") }
        XCTAssertEqual(trial, 2)
        XCTAssertEqual(process, "p\tq")
        XCTAssertEqual(time, 1_764_072_000.5)
        XCTAssertTrue(metric.isNaN, "metric \(metric)")
        XCTAssertEqual(row, "2,diverged\n")
    }

    func testStopAndResumeRoundTrip() {
        for text in Self.awkwardTexts {
            assertRoundTrip(.stop(by: text, time: 1_764_072_000.5))
            assertRoundTrip(.resume(by: text, time: 1_764_072_000.5))
        }
        for time in Self.times {
            assertRoundTrip(.stop(by: "user@host", time: time))
            assertRoundTrip(.resume(by: "user@host", time: time))
        }
    }

    /// The payload keeps times to the millisecond (documented): sub-millisecond digits are rounded away.
    func testTimesAreKeptToTheMillisecond() throws {
        let record = JournalRecord.stop(by: "u", time: 1_764_072_000.123_456_7)
        XCTAssertEqual(record.payload, "stop\tu\t1764072000.123")
        XCTAssertEqual(try JournalRecord(payload: Substring(record.payload)), .stop(by: "u", time: 1_764_072_000.123))
    }

    /// The exact text of a few payloads: the format other tools and older journals read.
    func testPayloadText() {
        XCTAssertEqual(JournalRecord.claim(trial: 3, process: "h/12/x", upTo: 20, time: 1_764_072_000.5).payload,
                       "claim\t3\th/12/x\t20\t1764072000.500")
        XCTAssertEqual(JournalRecord.beat(process: "p", time: 2, epochs: [.init(trial: 3, epoch: 2, epochs: 10), .init(trial: 5, epoch: 0, epochs: 4)]).payload,
                       "beat\tp\t2.000\t3:2/10,5:0/4")
        XCTAssertEqual(JournalRecord.leave(process: "a\tb", time: 1, reason: "x\\y\nz\0\r").payload,
                       "leave\ta\\tb\t1.000\tx\\\\y\\nz\\0\\r")
        XCTAssertEqual(JournalRecord.join(process: "p", host: "h", pidSpace: "s", pid: 9, threads: 4, lease: 30, time: 1).payload,
                       "join\tp\th\ts\t9\t4\t30\t1.000")
        XCTAssertEqual(JournalRecord.finish(trial: 1, process: "p", time: 1, metric: -.infinity, row: "1,a").payload,
                       "finish\t1\tp\t1.000\t-inf\t1,a")
    }

    // MARK: - Malformed payloads

    func testWrongFieldCountsAreRefused() {
        assertRefused("claim\t1\tp\t5", mentioning: ["claim", "3 fields", "expected 4"])
        assertRefused("claim\t1\tp\t5\t1.000\textra", mentioning: ["claim", "5 fields", "expected 4"])
        assertRefused("stop", mentioning: ["stop", "0 fields", "expected 2"])
        assertRefused("resume\tu\t1.000\t", mentioning: ["resume", "3 fields", "expected 2"])
        assertRefused("join\tp\th\ts\t9\t4\t30", mentioning: ["join", "6 fields", "expected 7"])
        assertRefused("beat\tp\t1.000", mentioning: ["beat", "2 fields", "expected 3"])
        assertRefused("leave\tp\t1.000", mentioning: ["leave", "2 fields", "expected 3"])
        assertRefused("release\t1\tp\t1.000", mentioning: ["release", "3 fields", "expected 4"])
        assertRefused("finish\t1\tp\t1.000\t0.5", mentioning: ["finish", "4 fields", "expected 5"])
        // A raw tab inside what was meant as one text field shifts the count: that is why text is escaped.
        assertRefused("leave\tp\t1.000\tfailed:\tdisk full", mentioning: ["leave", "4 fields", "expected 3"])
    }

    func testNonNumericAndNegativeIntegersAreRefused() {
        assertRefused("claim\tx\tp\t5\t1.000", mentioning: ["claim", "trial", "\"x\""])
        assertRefused("claim\t\tp\t5\t1.000", mentioning: ["claim", "trial", "\"\""])
        assertRefused("claim\t1.5\tp\t5\t1.000", mentioning: ["claim", "trial", "\"1.5\""])
        assertRefused("claim\t-1\tp\t5\t1.000", mentioning: ["claim", "trial", "\"-1\"", "non-negative"])
        assertRefused("claim\t+1\tp\t5\t1.000", mentioning: ["claim", "trial", "\"+1\""])
        assertRefused("claim\t 1\tp\t5\t1.000", mentioning: ["claim", "trial", "\" 1\""])
        assertRefused("claim\t1\tp\t-5\t1.000", mentioning: ["claim", "epoch", "\"-5\""])
        assertRefused("release\t1\tp\t-3\t1.000", mentioning: ["release", "epoch", "\"-3\""])
        assertRefused("finish\t-2\tp\t1.000\t0.5\t-2,a", mentioning: ["finish", "trial", "\"-2\""])
        assertRefused("join\tp\th\ts\tnine\t4\t30\t1.000", mentioning: ["join", "pid", "\"nine\""])
        assertRefused("join\tp\th\ts\t9\t-4\t30\t1.000", mentioning: ["join", "threads", "\"-4\""])
        assertRefused("claim\t99999999999999999999\tp\t5\t1.000", mentioning: ["claim", "trial", "99999999999999999999"])
    }

    func testOutOfRangeJoinFieldsAreRefused() {
        assertRefused("join\tp\th\ts\t0\t4\t30\t1.000", mentioning: ["join", "pid 0", "out of range"])
        assertRefused("join\tp\th\ts\t2147483648\t4\t30\t1.000", mentioning: ["join", "pid 2147483648", "out of range"])
        assertRefused("join\tp\th\ts\t-5\t4\t30\t1.000", mentioning: ["join", "pid", "\"-5\""])
        assertRefused("join\tp\th\ts\t9\t4\t0\t1.000", mentioning: ["join", "lease", "not positive"])
        assertRefused("join\tp\th\ts\t9\t4\t-1\t1.000", mentioning: ["join", "lease", "not positive"])
        assertRefused("join\tp\th\ts\t9\t4\tinf\t1.000", mentioning: ["join", "lease", "\"inf\""])
        assertRefused("join\tp\th\ts\t9\t4\tnan\t1.000", mentioning: ["join", "lease", "\"nan\""])
    }

    func testTimesMustBeFiniteNumbers() {
        assertRefused("claim\t1\tp\t5\tsoon", mentioning: ["claim", "time", "\"soon\"", "not a number"])
        assertRefused("claim\t1\tp\t5\t", mentioning: ["claim", "time", "\"\""])
        assertRefused("claim\t1\tp\t5\tnan", mentioning: ["claim", "time", "\"nan\""])
        assertRefused("stop\tu\tinf", mentioning: ["stop", "time", "\"inf\""])
        assertRefused("leave\tp\t-inf\tdone", mentioning: ["leave", "time", "\"-inf\""])
        assertRefused("beat\tp\t 1.000\t", mentioning: ["beat", "time", "\" 1.000\""])
    }

    /// The metric may be NaN or infinite (a diverged trial), but it must be a number: "abc" is refused, "nan" read.
    func testFinishMetricAbcIsRefusedButNanIsRead() throws {
        assertRefused("finish\t1\tp\t1.000\tabc\t1,a", mentioning: ["finish", "metric", "\"abc\"", "not a number"])
        assertRefused("finish\t1\tp\t1.000\t\t1,a", mentioning: ["finish", "metric", "\"\""])
        assertRefused("finish\t1\tp\t1.000\tNaN!\t1,a", mentioning: ["finish", "metric", "\"NaN!\""])
        let readings: [(String, (Double) -> Bool)] = [
            ("nan", { $0.isNaN }), ("inf", { $0 == .infinity }), ("-inf", { $0 == -.infinity }), ("0.125", { $0 == 0.125 }), ("-3", { $0 == -3 }),
        ]
        for (text, check) in readings {
            let record = try JournalRecord(payload: Substring("finish\t1\tp\t1.000\t\(text)\t1,a"))
            guard case let .finish(_, _, _, metric, _) = record else { XCTFail("\(text) read as \(record)"); continue }
            XCTAssertTrue(check(metric), "\(text) read as \(metric)")
        }
    }

    func testBadEscapesAreRefused() {
        assertRefused("leave\tp\\x\t1.000\tdone", mentioning: ["leave", "escape"])
        assertRefused("leave\tp\t1.000\tdone\\", mentioning: ["leave", "escape"])           // dangling
        assertRefused("stop\t\\\t1.000", mentioning: ["stop", "escape"])                    // a lone backslash
        assertRefused("finish\t1\tp\t1.000\t0.5\t1,\\N", mentioning: ["finish", "escape"])  // escapes are lowercase
        assertRefused("claim\t1\tp\\\\\\\t5\t1.000", mentioning: ["claim", "escape"])        // \\ then a dangling \
    }

    func testMalformedHeartbeatEpochsAreRefused() {
        for item in ["1:2", "1/2", "x:2/3", "1:y/3", "1:2/z", "-1:0/3", "1:-2/3", "1:2/-3", "1:2/3:4", "1:2/3/4", ":/"] {
            assertRefused(Substring("beat\tp\t1.000\t\(item)"), mentioning: ["beat", "\"\(item)\"", "TRIAL:EPOCH/EPOCHS"])
        }
        assertRefused("beat\tp\t1.000\t1:2/3,oops", mentioning: ["beat", "\"oops\""])
    }

    func testUnknownKindsAreRefused() {
        assertRefused("launch\t1\tp", mentioning: ["unknown record kind", "\"launch\""])
        assertRefused("Claim\t1\tp\t5\t1.000", mentioning: ["unknown record kind", "\"Claim\""])
        assertRefused(" claim\t1\tp\t5\t1.000", mentioning: ["unknown record kind"])
        assertRefused("", mentioning: [])
        assertRefused("\t", mentioning: [])
        // A huge unknown kind is quoted only in part, so one bad record cannot flood the log.
        let long = String(repeating: "k", count: 10_000)
        let description = refusal(Substring(long + "\t1"))
        XCTAssertTrue(description?.contains(String(repeating: "k", count: 40)) ?? false, description ?? "nil")
        XCTAssertLessThan(description?.count ?? .max, 200, description ?? "nil")
    }

    // MARK: - Helpers

    /// The number of fields (after the kind) each kind's payload has.
    private static let fieldCounts = [
        "join": 7, "beat": 3, "leave": 3, "claim": 4, "release": 4, "finish": 5, "reached": 7, "stop": 2, "resume": 2,
    ]

    /// Checks that `record`'s payload is one line of raw tabs between the right number of fields, and reads back equal.
    private func assertRoundTrip(_ record: JournalRecord, file: StaticString = #filePath, line: UInt = #line) {
        let text = record.payload
        XCTAssertFalse(text.utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }, "raw newline, CR or NUL in \(text.debugDescription)",
                       file: file, line: line)
        XCTAssertTrue(text.hasPrefix(record.kind + "\t"), text.debugDescription, file: file, line: line)
        XCTAssertEqual(text.utf8.filter { $0 == 9 }.count, Self.fieldCounts[record.kind], "tabs in \(text.debugDescription)",
                       file: file, line: line)
        do {
            let back = try JournalRecord(payload: Substring(text))
            XCTAssertEqual(back, record, "payload \(text.debugDescription)", file: file, line: line)
        } catch {
            XCTFail("\(record) did not read back from \(text.debugDescription): \(error)", file: file, line: line)
        }
    }

    /// The description of the error reading `payload` throws, or nil when it reads.
    private func refusal(_ payload: Substring) -> String? {
        do {
            let record = try JournalRecord(payload: payload)
            _ = record
            return nil
        } catch let error as JournalRecord.ParseError {
            return error.description
        } catch {
            return "an unexpected error type: \(error)"
        }
    }

    /// Checks that reading `payload` throws a `ParseError` whose description contains every one of `words`.
    private func assertRefused(_ payload: Substring, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard let description = refusal(payload) else {
            return XCTFail("\(payload.debugDescription) was read as a record", file: file, line: line)
        }
        XCTAssertFalse(description.isEmpty, file: file, line: line)
        for word in words {
            XCTAssertTrue(description.contains(word), "\(description.debugDescription) does not mention \(word.debugDescription)",
                          file: file, line: line)
        }
    }
}
