import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// A seeded mutation fuzzer over CSV files: valid files with bytes changed, quotes, commas, line
/// breaks, NULs and byte order marks put in, rows dropped, repeated or cut short, cells made
/// empty, huge or not numbers, the whole file re-encoded as UTF-16. Every case must load or be
/// refused with a data error naming the file; what loads must be whole (features by rows, labels
/// in range); the start's preview never refuses what loads and refuses nothing the loader would
/// say otherwise; the split never crashes. A few cases also run `nnsearch init` on the binary.
final class CSVFuzzTests: XCTestCase {
    static let seeds = [
        "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n",
        "x,label\n0.5,cat\n-1.25,dog\n3e2,cat\n.5,bird\n7.,dog\n",
        "\u{FEFF}\"x, one\",\"y\"\r\n\"1.5\",\"a \"\"b\"\"\"\r\n2,\"line\r\nbreak\"\r\n3,\"a \"\"b\"\"\"\r\n4,z\r\n",
        "f1,f2,f3,y\n0.1,0.2,0.3,1.5\n0.4,0.5,0.6,2.5\n0.7,0.8,0.9,-3.25\n1,1,1,0\n",
        "y,x\n1,10\n2,20\n1,30\n\n2,40\n1,50",
        "x,y\n" + (0..<50).map { "\(Double($0) / 7),\($0 % 3)\n" }.joined(),
    ]

    func testMutatedCSVFilesLoadOrAreRefusedCleanly() throws {
        let fuzz = Fuzzing("csv")
        let dir = try BinaryHarness.temporaryDirectory(self)
        let binaryEvery = max(1, fuzz.cases / max(1, fuzz.binaryCases))
        var loaded = 0, refused = 0
        for i in fuzz.range {
            var random = fuzz.random(case: i)
            var bytes = Array(random.pick(Self.seeds).utf8)
            for _ in 0..<(random.chance(0.5) ? 1 : 2 + random.next(below: 4)) { Self.mutate(&bytes, &random) }
            if random.chance(0.05) { bytes = Self.utf16(bytes, &random) }
            fuzz.record(case: i, bytes)
            let path = dir.appendingPathComponent("case.csv").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let target = random.chance(0.9) ? Self.targetName(bytes) : random.pick(["y", "Y", "zz", ""])
            let classification: Bool? = random.pick([nil, true, false])
            let started = Date()
            do {
                let data = try loadCSVDataset(path: path, target: target, classification: classification)
                try check(data, fuzz: fuzz, case: i, bytes: bytes)
                loaded += 1
                do {
                    _ = try previewCSVTable(path: path, columns: CSVColumns(target: target))
                } catch {
                    XCTFail(fuzz.failure(case: i, "the preview refused a file that loads: \(error)", input: bytes))
                }
            } catch let error as NNSearchError {
                refused += 1
                if !error.message.contains(path) || ![.data, .noInput].contains(error.kind) || error.message.count > 4_000 {
                    XCTFail(fuzz.failure(case: i, "refused with a \(error.kind) error that does not name the file or is too long: \(error.message.prefix(500))", input: bytes))
                }
                do {
                    _ = try previewCSVTable(path: path, columns: CSVColumns(target: target))
                } catch let preview as NNSearchError where preview.message != error.message {
                    XCTFail(fuzz.failure(case: i, "the preview says \(preview.message)\nthe loader says \(error.message)", input: bytes))
                } catch {}
            } catch {
                XCTFail(fuzz.failure(case: i, "threw \(type(of: error)), not an NNSearchError: \(error)", input: bytes))
            }
            if Date().timeIntervalSince(started) > 10 {
                XCTFail(fuzz.failure(case: i, "took \(Date().timeIntervalSince(started)) s", input: bytes))
            }
            if i % binaryEvery == 0 && i / binaryEvery < fuzz.binaryCases {
                let csv = dir.appendingPathComponent("case-\(i).csv")
                try Data(bytes).write(to: csv)
                let task = classification.map { #""task": "\#($0 ? "classification" : "regression")", "# } ?? ""
                let spec = try BinaryHarness.write(#"{"version": 1, "data": {"csv": ""# + csv.lastPathComponent + #"", "target": "# + JSONValue.quote(target)
                    + "}, " + task + #""space": {"epochs": 1, "width": 4}}"#, to: "case-\(i).json", in: dir)
                try fuzz.runBinary(self, ["init", spec, "--out", dir.appendingPathComponent("out-\(i)").path],
                                   case: i, input: bytes, log: dir.appendingPathComponent("case-\(i).log").path)
            }
        }
        print("csv fuzz: \(fuzz.cases) cases from seed \(fuzz.seed): \(loaded) loaded, \(refused) refused; \(min(fuzz.binaryCases, fuzz.cases)) run on the binary")
        guard fuzz.range.count == fuzz.cases else { return }
        XCTAssertGreaterThan(loaded, fuzz.cases / 20, "the mutations should leave some files valid (\(loaded) loaded, \(refused) refused)")
        XCTAssertGreaterThan(refused, fuzz.cases / 20, "and refuse others (\(loaded) loaded, \(refused) refused)")
        try? FileManager.default.removeItem(at: fuzz.lastCase)
    }

    /// A loaded dataset is whole, and splits (or is refused) cleanly.
    private func check(_ data: Dataset, fuzz: Fuzzing, case i: Int, bytes: [UInt8]) throws {
        let rows = data.rowCount
        XCTAssertGreaterThan(rows, 0)
        XCTAssertEqual(data.features.count, rows * data.featureCount, fuzz.failure(case: i, "features are not rows × columns", input: bytes))
        XCTAssertTrue(data.features.allSatisfy(\.isFinite), fuzz.failure(case: i, "a feature is not finite", input: bytes))
        switch data.targets {
        case .classes(let labels, let names):
            XCTAssertEqual(labels.count, rows)
            XCTAssertGreaterThanOrEqual(names.count, 2)
            XCTAssertTrue(labels.allSatisfy { $0 >= 0 && Int($0) < names.count }, fuzz.failure(case: i, "a label out of range", input: bytes))
        case .values(let values):
            XCTAssertEqual(values.count, rows)
            XCTAssertTrue(values.allSatisfy(\.isFinite), fuzz.failure(case: i, "a target is not finite", input: bytes))
        }
        do {
            _ = try DataSplit(data, validationFraction: 0.2, seed: 0).standardized()
        } catch let error as NNSearchError where error.kind == .data {}
    }

    /// The header's last column name when there is one (the seeds put the target there or first).
    static func targetName(_ bytes: [UInt8]) -> String {
        var parser = CSVParser(bytes: bytes)
        guard let record = try? parser.next() else { return "y" }
        return record.fields.contains("y") ? "y" : record.fields.last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "y"
    }

    // MARK: - Mutations

    static let pieces: [[UInt8]] = [
        ",", "\"", "\"\"", "\n", "\r", "\r\n", " ", "\t", "nan", "-inf", "1e999", "1e300", "0x10", "1.5e", "--1", "é", "",
        String(repeating: "9", count: 400), String(repeating: "7", count: 5_000) + ".5", "\u{FEFF}",
    ].map { Array($0.utf8) } + [[0], [0xFF], [0xFE, 0xFF], [0xFF, 0xFE], [0xC3], [0xEF, 0xBB, 0xBF], [0x1F, 0x8B]]

    static func mutate(_ bytes: inout [UInt8], _ random: inout Random) {
        if bytes.isEmpty { bytes = random.pick(pieces); return }
        let at = random.next(below: bytes.count)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        switch random.next(below: 9) {
        case 0: bytes[at] = random.pick(pieces).first ?? UInt8(ascii: ",")
        case 1: bytes.insert(contentsOf: random.pick(pieces), at: at)
        case 2: bytes.remove(at: at)
        case 3: bytes.removeSubrange(at...)
        case 4 where lines.count > 1:   // a line dropped
            var kept = lines
            kept.remove(at: random.next(below: kept.count))
            bytes = Array(kept.joined(separator: [UInt8(ascii: "\n")]))
        case 5 where lines.count > 1:   // a line repeated, up to 200 times
            var grown = lines
            let i = random.next(below: grown.count)
            grown.insert(contentsOf: Array(repeating: grown[i], count: 1 + random.next(below: 200)), at: i)
            bytes = Array(grown.joined(separator: [UInt8(ascii: "\n")]))
        case 6:   // a cell replaced (the text between two commas or line ends)
            var start = at, end = at
            while start > 0, bytes[start - 1] != UInt8(ascii: ","), bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
            while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: "\n") { end += 1 }
            bytes.replaceSubrange(start..<end, with: random.pick(pieces))
        case 7:   // every target the same class
            bytes = Array(lines.map { line -> [UInt8] in
                guard let comma = line.lastIndex(of: UInt8(ascii: ",")) else { return Array(line) }
                return Array(line[...comma]) + Array("1".utf8)
            }.joined(separator: [UInt8(ascii: "\n")]))
        default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + random.next(below: 30))], at: at)
        }
    }

    /// The text as UTF-16, either byte order, with or without a byte order mark.
    static func utf16(_ bytes: [UInt8], _ random: inout Random) -> [UInt8] {
        let units = Array(String(decoding: bytes, as: UTF8.self).utf16)
        let little = random.chance(0.5)
        let mark: [UInt8] = random.chance(0.5) ? (little ? [0xFF, 0xFE] : [0xFE, 0xFF]) : []
        return mark + units.flatMap { little ? [UInt8($0 & 0xFF), UInt8($0 >> 8)] : [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
