import Foundation
import XCTest
@testable import NNSearchKernel

/// What the seeded mutation fuzzers share: how many cases, from which seed, where the case in
/// hand is kept (a trap in the loader would end the test process: the file says which input did
/// it), and running the binary on a case with a time limit.
///
/// `NNSEARCH_FUZZ_CASES=N` runs N cases per fuzzer (default 300), `NNSEARCH_FUZZ_SEED=S` starts
/// from another seed (default 1), `NNSEARCH_FUZZ_BINARY=N` runs N of the cases on the binary too
/// (default 6), `NNSEARCH_FUZZ_ONLY=i` runs case i alone. Case i draws from
/// `Random(seed: S, stream: i)`, so any case can be replayed by itself.
struct Fuzzing {
    let name: String
    let seed: UInt64
    let cases: Int
    let binaryCases: Int
    /// The cases to run: all of them, or the one `NNSEARCH_FUZZ_ONLY` names.
    let range: Range<Int>
    /// Where the case in hand is written before it runs.
    let lastCase: URL

    init(_ name: String) {
        let environment = ProcessInfo.processInfo.environment
        self.name = name
        seed = environment["NNSEARCH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 1
        cases = environment["NNSEARCH_FUZZ_CASES"].flatMap { Int($0) } ?? 300
        binaryCases = environment["NNSEARCH_FUZZ_BINARY"].flatMap { Int($0) } ?? 6
        range = environment["NNSEARCH_FUZZ_ONLY"].flatMap { Int($0) }.map { $0..<($0 + 1) } ?? 0..<cases
        lastCase = FileManager.default.temporaryDirectory.appendingPathComponent("nnsearch-fuzz-\(name)-last-case")
    }

    /// The random stream of case `i`.
    func random(case i: Int) -> Random { Random(seed: seed, stream: UInt64(i)) }

    /// Keeps case `i`'s input on disk while it runs (a crash leaves it there, with how to replay it).
    func record(case i: Int, _ input: [UInt8]) {
        let note = "\(name) fuzz case \(i) of seed \(seed) (replay: NNSEARCH_FUZZ_SEED=\(seed) NNSEARCH_FUZZ_ONLY=\(i)); input follows\n"
        try? Data(Array(note.utf8) + input).write(to: lastCase)
    }

    /// A failure message naming the seed and case and showing the input (its start, if long).
    func failure(case i: Int, _ what: String, input: [UInt8]) -> String {
        // One line: the input with its line breaks escaped.
        let text = String(decoding: input.prefix(2_000), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
        return "\(name) fuzz case \(i) of seed \(seed) (replay it alone: NNSEARCH_FUZZ_SEED=\(seed) NNSEARCH_FUZZ_ONLY=\(i)): "
            + "\(what.replacingOccurrences(of: "\n", with: " / ")) — input (\(input.count) bytes): \(text)\(input.count > 2_000 ? "…" : "")"
    }

    /// Runs the binary with `arguments` and asserts what every fuzzed input must get: an exit
    /// status below 128 that is ok or a sysexits code, no "Fatal error", within `timeout` seconds.
    func runBinary(_ test: XCTestCase, _ arguments: [String], case i: Int, input: [UInt8], log: String,
                   timeout: Double = 120, file: StaticString = #filePath, line: UInt = #line) throws {
        let process = try test.launch(arguments, log: log)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTFail(failure(case: i, "nnsearch \(arguments.joined(separator: " ")) still ran after \(timeout) s", input: input), file: file, line: line)
            return
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let status = process.terminationStatus
        if ProcessInfo.processInfo.environment["NNSEARCH_FUZZ_VERBOSE"] != nil { print("\(name) fuzz case \(i): status \(status): \(output.prefix(300))") }
        let crashed = process.terminationReason == .uncaughtSignal || status >= 128 || output.contains("Fatal error")
        if crashed || ![0, 64, 65, 66].contains(status) {
            XCTFail(failure(case: i, "nnsearch \(arguments.joined(separator: " ")) exited with \(status) (\(process.terminationReason == .uncaughtSignal ? "signal" : "status")): \(output)",
                            input: input), file: file, line: line)
        }
    }
}

extension Random {
    /// One of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[next(below: items.count)] }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { nextDouble() < p }
}
