import XCTest
@testable import NNSearchCLI

final class AnchorsTests: XCTestCase {
    /// The benchmark reads the anchors' figures from the `key=value` words of their last line.
    func testFieldsOfTheLastLine() {
        let seedExact = "[1] loss: 1.099\n[2] loss: 1.098\nseed_exact label=bin epochs=5 steps=10000 seconds=7.29 us_per_step=728.5\n"
        XCTAssertEqual(Anchors.fields(seedExact)["us_per_step"], "728.5")
        XCTAssertEqual(Anchors.fields(seedExact)["steps"], "10000")
        let optuna = "optuna+torch sampler=random prob=bin trials=40 jobs=2 epochs=20 seconds=42.8 best_val=0.9975 best={'depth': 2, 'lr': 0.01}"
        XCTAssertEqual(Anchors.fields(optuna)["seconds"], "42.8")
        XCTAssertEqual(Anchors.fields(optuna)["best_val"], "0.9975")
        XCTAssertNil(Anchors.fields("us_per_step=1\nTraceback (most recent call last):")["us_per_step"], "only the last line counts")
        XCTAssertTrue(Anchors.fields("").isEmpty)
    }
}
