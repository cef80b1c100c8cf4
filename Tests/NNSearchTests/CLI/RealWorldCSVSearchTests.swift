import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// A messy CSV file searched end to end on the built binary: a byte-order mark, a text column,
/// empty and `NA` cells, an id column; what `start` says about them, what `spec.json` records,
/// and the same results for any worker count.
final class RealWorldCSVSearchTests: XCTestCase {
    /// 400 rows of `id,age,sex,city,income,bought`: the class follows age, sex, city and income;
    /// about 1 age in 10 is missing (empty, `NA` or `NaN`), 1 sex in 20 is empty, 1 city in 20 is `null`.
    static func messyCSV(rows: Int = 400) -> String {
        var random = Random(seed: 21)
        var text = "\u{FEFF}id,age,sex,city,income,bought\n"
        let cities = ["Paris", "Lyon", "Nice", "Lille"], effect = [1.0, 0.0, -1.0, 0.3]
        for i in 0..<rows {
            let age = 40 + 12 * random.nextNormal(), male = random.chance(0.5), c = random.next(below: 4)
            let income = 3000 + 800 * random.nextNormal()
            let score = (age - 40) / 12 + (male ? 0.8 : -0.8) + effect[c] + (income - 3000) / 1600 + 0.5 * random.nextNormal()
            let ageCell = random.chance(0.1) ? random.pick(["", "NA", "NaN"]) : String(format: "%.1f", age)
            let sexCell = random.chance(0.05) ? "" : (male ? "M" : "F")
            let cityCell = random.chance(0.05) ? "null" : cities[c]
            text += "\(1000 + i),\(ageCell),\(sexCell),\(cityCell),\(Int(income)),\(score > 0 ? "yes" : "no")\n"
        }
        return text
    }

    static func spec(_ data: String = "", extra: String = "") -> String {
        #"""
        {"version": 1, "data": {"csv": "people.csv", "target": "bought"\#(data)}, "strategy": "random", "trials": 6, "seed": 5,\#(extra)
         "space": {"depth": [1, 2], "width": [8, 32], "lr": {"log_uniform": [0.003, 0.03]}, "optimizer": "adam", "epochs": 15,
                   "normalize": ["standardize", "batchnorm", "none"]}}
        """#
    }

    func testAMessyFileIsSearchedAndWhatWasDoneIsSaidAndRecorded() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        try BinaryHarness.write(Self.messyCSV(), to: "people.csv", in: dir)
        let specPath = try BinaryHarness.write(Self.spec(), to: "s.json", in: dir)
        let reference = dir.appendingPathComponent("one").path
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "1", "--out", reference])
        XCTAssertEqual(r.status, 0, r.stderr)
        let said = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(said.first, "data prepared as a scikit-learn pipeline would (recorded in \(reference)/spec.json, \"preprocessing\"):")
        let expected = [
            "  id: a distinct integer on every row (400 of 400) — an identifier? It cannot generalize; leave it out with \"ignore\": [\"id\"] in the spec's \"data\"",
            "  age: ", " of 400 missing → the training rows' mean, plus an input \"age_missing\" (1 where missing)",
            "  sex: text → one-hot, one input per category of the training rows (2 categories: \"F\", \"M\");",
            "missing → their own input \"sex_missing\"",
            "  city: text → one-hot, one input per category of the training rows (4 categories: \"Lille\", \"Lyon\", \"Nice\", \"Paris\");",
        ]
        for part in expected { XCTAssertTrue(r.stdout.contains(part), "no \(part) in:\n\(r.stdout)") }
        XCTAssertFalse(r.stdout.contains("income"), r.stdout)
        let record = try parseJSON(readFile(reference + "/spec.json"), file: "spec.json")
        XCTAssertEqual(record["preprocessing"]?["summary"].map { if case .array(let a) = $0 { a.count } else { 0 } }, 4)
        XCTAssertEqual(record["preprocessing"]?["columns"]?.jsonText.contains(#""column": "sex", "type": "category", "categories": ["F", "M"]"#), true)
        // The search learned: better than chance (the classes are about even) on every normalization.
        let results = try SearchResults(SearchFolder(reference))
        XCTAssertEqual(results.trials.count, 6)
        XCTAssertGreaterThan(results.best?.valMetric ?? 0, 0.75)

        // Two workers, and a detached start: the same files, and the same report.
        let two = dir.appendingPathComponent("two").path
        XCTAssertEqual(try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", two]).status, 0)
        assertSameResults(two, as: reference, trials: 6)
        let detached = dir.appendingPathComponent("detached").path
        let d = try BinaryHarness.run(["start", specPath, "--out", detached])
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertTrue(d.stdout.hasPrefix(r.stdout.components(separatedBy: "\n  city:")[0].replacingOccurrences(of: reference, with: detached)), d.stdout)
        BinaryHarness.waitUntilExited(detached)
        assertSameResults(detached, as: reference, trials: 6)
        XCTAssertEqual(PreparationRecord.lines(in: SearchFolder(detached)), PreparationRecord.lines(in: SearchFolder(reference)))

        // The record is not a change of spec: resume accepts the original file; explain's next spec drops it.
        let resumed = try BinaryHarness.run(["resume", reference, "--foreground"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let next = dir.appendingPathComponent("next.json").path
        let explained = try BinaryHarness.run(["explain", reference, "--next", next])
        XCTAssertEqual(explained.status, 0, explained.stderr)
        let nextSpec = readFile(next)
        XCTAssertTrue(nextSpec.contains("\"space\""), nextSpec)
        XCTAssertFalse(nextSpec.contains("preprocessing"), nextSpec)
    }

    func testIgnoringTheIDAndCrossValidatingWithCategories() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        try BinaryHarness.write(Self.messyCSV(), to: "people.csv", in: dir)
        let specPath = try BinaryHarness.write(Self.spec(#", "ignore": ["id"]"#, extra: #" "validation": {"folds": 3},"#), to: "s.json", in: dir)
        let folder = dir.appendingPathComponent("cv").path
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--workers", "2", "--out", folder])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("identifier"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  left out (\"ignore\"): \"id\"\n"), r.stdout)
        let results = try SearchResults(SearchFolder(folder))
        XCTAssertEqual(results.trials.count, 6)
        XCTAssertTrue(results.trials.allSatisfy { $0.valMetricStd > 0 })
        XCTAssertGreaterThan(results.best?.valMetric ?? 0, 0.75)
    }

    func testBadCellsAndColumnNamesAreRefusedWithTheirPlace() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        var text = Self.messyCSV(rows: 60)
        // Row 51 (line 52): an income of "n/d" among numbers — a typo or a private mark for "missing".
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cells = lines[51].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[4] = "n/d"
        lines[51] = cells.joined(separator: ",")
        text = lines.joined(separator: "\n")
        try BinaryHarness.write(text, to: "people.csv", in: dir)
        let column = cells.prefix(4).map { $0.count + 1 }.reduce(1, +)
        let specPath = try BinaryHarness.write(Self.spec(), to: "s.json", in: dir)
        let r = try BinaryHarness.run(["start", specPath, "--foreground", "--out", dir.appendingPathComponent("x").path])
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertTrue(r.stderr.contains("people.csv:52:\(column): column \"income\": \"n/d\" is not a number, though 59 other cells of the column are;"), r.stderr)
        XCTAssertTrue(r.stderr.contains("add \"missing\": [\"n/d\"] to the spec's \"data\""), r.stderr)
        // With the mark declared, it is a missing cell.
        let fixed = try BinaryHarness.write(Self.spec(#", "missing": ["n/d"], "features": ["age", "incme"]"#), to: "f.json", in: dir)
        let typo = try BinaryHarness.run(["start", fixed, "--foreground", "--out", dir.appendingPathComponent("y").path])
        XCTAssertEqual(typo.status, 65, typo.stderr)
        XCTAssertTrue(typo.stderr.contains("data.features[1]: no column named \"incme\" (did you mean \"income\"?)"), typo.stderr)
        let good = try BinaryHarness.write(Self.spec(#", "missing": ["n/d"], "features": ["income", "sex"]"#), to: "g.json", in: dir)
        let ok = try BinaryHarness.run(["start", good, "--foreground", "--out", dir.appendingPathComponent("z").path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("  income: 1 cell of 60 missing → the training rows' mean"), ok.stdout)
        XCTAssertFalse(ok.stdout.contains("age"), ok.stdout)
    }
}
