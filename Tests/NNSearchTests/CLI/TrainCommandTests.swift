import Foundation
import XCTest

/// `nnsearch train` end to end, on the built binary.
final class TrainCommandTests: XCTestCase {
    private func spec(_ data: String, space: String = "{}") -> String {
        #"{"version": 1, "data": \#(data), "seed": 1, "space": \#(space)}"#
    }

    /// Parses `--csv` output into rows of numbers (header dropped).
    private func rows(_ csv: String) -> [[Double]] {
        csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double(String($0)) ?? .nan } }
    }

    /// The seed report's story: raw inputs near 92 with plain SGD stay at chance;
    /// standardized inputs with Adam at lr 0.01 learn the threshold.
    func testHeartRateNormalizationDecidesEverything() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let path = try BinaryHarness.write(spec(#"{"generator": "heart_rate", "rows": 2000, "seed": 0}"#,
                                                space: #"{"depth": 1, "width": 16, "batch_size": 32, "epochs": 20}"#),
                                           to: "heart.json", in: dir)
        let good = try BinaryHarness.run(["train", path, "--set", "normalize=standardize", "--set", "optimizer=adam",
                                          "--set", "lr=0.01", "--csv"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(good.stdout.hasPrefix("epoch,lr,train_loss,val_loss,train_accuracy,val_accuracy\n"))
        let goodRows = rows(good.stdout)
        XCTAssertEqual(goodRows.count, 20)
        XCTAssertGreaterThanOrEqual(goodRows.map { $0[5] }.max()!, 0.98, "standardize + adam reaches 98% within 20 epochs")

        let bad = try BinaryHarness.run(["train", path, "--set", "normalize=none", "--set", "optimizer=sgd",
                                         "--set", "lr=0.001", "--csv"])
        XCTAssertEqual(bad.status, 0, bad.stderr)
        let last = rows(bad.stdout).last!
        XCTAssertLessThanOrEqual(last[5], 0.60, "raw inputs with SGD at lr 0.001 stay at chance")
    }

    func testSumBinWithTwoHiddenLayers() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let path = try BinaryHarness.write(spec(#"{"generator": "sum_bin"}"#), to: "bin.json", in: dir)
        let r = try BinaryHarness.run(["train", path, "--set", "depth=2", "--set", "width=64", "--set", "lr=0.01",
                                       "--set", "optimizer=adam", "--set", "normalize=standardize", "--set", "epochs=30",
                                       "--set", "batch_size=16", "--csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertGreaterThanOrEqual(rows(r.stdout).last![5], 0.97)
    }

    func testSameSeedIsByteIdenticalAndOtherSeedDiffers() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let path = try BinaryHarness.write(spec(#"{"generator": "sum_mod"}"#,
                                                space: #"{"depth": 2, "width": 32, "epochs": 5, "dropout": 0.2, "normalize": "batchnorm"}"#),
                                           to: "mod.json", in: dir)
        let a = try BinaryHarness.run(["train", path, "--csv"])
        let b = try BinaryHarness.run(["train", path, "--csv"])
        let c = try BinaryHarness.run(["train", path, "--csv", "--seed", "2"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
        XCTAssertNotEqual(a.stdout, c.stdout)
        XCTAssertEqual(rows(a.stdout).count, 5)
    }

    func testOpenSpaceEntryMustBeSet() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        let path = try BinaryHarness.write(spec(#"{"generator": "sum_bin"}"#, space: #"{"lr": {"log_uniform": [0.0001, 0.1]}}"#)
                                             .replacingOccurrences(of: "\"seed\"", with: "\"trials\": 10, \"seed\""),
                                           to: "open.json", in: dir)
        let r = try BinaryHarness.run(["train", path])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("space.lr is a range"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--set lr=VALUE"), r.stderr)
        let typo = try BinaryHarness.run(["train", path, "--set", "lr=0.01", "--set", "optimiser=adam"])
        XCTAssertEqual(typo.status, 64)
        XCTAssertTrue(typo.stderr.contains("did you mean \"optimizer\""), typo.stderr)
    }

    func testBadCSVDataExits65WithLocation() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        try BinaryHarness.write("a,b,label\n1,2,x\n3,4,y\n5,oops,y\n", to: "bad.csv", in: dir)
        let path = try BinaryHarness.write(spec(#"{"csv": "bad.csv", "target": "label"}"#), to: "bad.json", in: dir)
        let r = try BinaryHarness.run(["train", path])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stderr.contains("bad.csv:4:3: column \"b\": \"oops\" is not a number"), r.stderr)
    }

    func testDivergedTrialIsReportedNotCrashed() throws {
        let dir = try BinaryHarness.temporaryDirectory(self)
        // A linear regression on raw inputs up to 100 with lr 1: every step overshoots more.
        let csv = "x,y\n" + (0..<200).map { "\($0 / 2),\(3 * ($0 / 2) + 1)" }.joined(separator: "\n")
        try BinaryHarness.write(csv, to: "line.csv", in: dir)
        let path = try BinaryHarness.write(spec(#"{"csv": "line.csv", "target": "y"}"#,
                                                space: #"{"depth": 0, "optimizer": "sgd", "lr": 1, "epochs": 30}"#)
                                             .replacingOccurrences(of: "\"seed\"", with: "\"task\": \"regression\", \"seed\""),
                                           to: "boom.json", in: dir)
        let r = try BinaryHarness.run(["train", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("diverged at epoch"), r.stdout)
    }
}
