import XCTest
@testable import NNSearch

final class ReportAxisTests: XCTestCase {
    func testNiceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(ChartAxis.niceStep(1, 5), 0.2)
        XCTAssertEqual(ChartAxis.niceStep(100, 5), 20)
        XCTAssertEqual(ChartAxis.niceStep(37, 5), 10)
        XCTAssertEqual(ChartAxis.niceStep(0.07, 5), 0.01, accuracy: 1e-15)
        XCTAssertEqual(ChartAxis.niceStep(2400, 5), 500)
    }

    func testNiceLinearAxisWidensToWholeTicks() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [0.52, 0.97], scale: .linear, nice: true, tickCount: 5))
        XCTAssertEqual(axis.lower, 0.5, accuracy: 1e-12)
        XCTAssertEqual(axis.upper, 1.0, accuracy: 1e-12)
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
    }

    func testExactAxisKeepsTheDataRangeWithTicksInside() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [3, 39], scale: .linear, nice: false, tickCount: 5))
        XCTAssertEqual(axis.lower, 3)
        XCTAssertEqual(axis.upper, 39)
        XCTAssertEqual(axis.fraction(39), 1)
        XCTAssertEqual(axis.fraction(3), 0)
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["10", "20", "30"])
    }

    func testTickLabelsNeverShowNegativeZeroOrFloatNoise() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [-0.3, 0.3], scale: .linear, nice: true, tickCount: 6))
        let labels = axis.ticks.map { axis.label($0) }
        XCTAssertTrue(labels.contains("0.0"), "\(labels)")
        XCTAssertFalse(labels.contains("-0.0"), "\(labels)")
        XCTAssertTrue(labels.allSatisfy { $0.count <= 4 }, "\(labels)")
    }

    func testConstantSeriesGetsASpanAroundItsValue() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [0.5, 0.5, 0.5], scale: .linear, nice: true))
        XCTAssertLessThan(axis.lower, 0.5)
        XCTAssertGreaterThan(axis.upper, 0.5)
        XCTAssertEqual(axis.fraction(0.5), 0.5, accuracy: 0.15)
        let zero = try XCTUnwrap(ChartAxis(fitting: [0], scale: .linear, nice: false))
        XCTAssertEqual(zero.fraction(0), 0.5, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(zero.ticks.count, 2)
    }

    func testNaNAndInfinityAreSkippedAndNothingUsableGivesNoAxis() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [.nan, 1, .infinity, 3, -.infinity], scale: .linear, nice: false))
        XCTAssertEqual(axis.lower, 1)
        XCTAssertEqual(axis.upper, 3)
        XCTAssertNil(ChartAxis(fitting: [.nan, .infinity], scale: .linear, nice: true))
        XCTAssertNil(ChartAxis(fitting: [], scale: .linear, nice: true))
    }

    func testLogAxisIsLabelledInPowersOfTen() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [2e-4, 0.3], scale: .log, nice: true))
        XCTAssertEqual(axis.lower, 1e-4, accuracy: 1e-18)
        XCTAssertEqual(axis.upper, 1, accuracy: 1e-12)
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"])
        XCTAssertEqual(axis.fraction(1e-2), 0.5, accuracy: 1e-12)
    }

    func testLogAxisSkipsNonPositiveValuesAndThinsManyDecades() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [0, -1, 1e-6, 1e6], scale: .log, nice: true, tickCount: 5))
        XCTAssertEqual(axis.lower, 1e-6, accuracy: 1e-20)
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["10⁻⁶", "10⁻³", "10⁰", "10³", "10⁶"])
        XCTAssertNil(ChartAxis(fitting: [0, -2], scale: .log, nice: true))
    }

    func testExactLogAxisWithinOneDecadeWidensToWholeDecades() throws {
        // 0.002…0.008 holds no power of ten: the axis becomes 10⁻³…10⁻², so it can be labelled.
        let axis = try XCTUnwrap(ChartAxis(fitting: [0.002, 0.008], scale: .log, nice: false))
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["10⁻³", "10⁻²"])
        // 3e-4…0.05 holds two: the axis stays exact, so the largest value is at the end.
        let exact = try XCTUnwrap(ChartAxis(fitting: [3e-4, 0.05], scale: .log, nice: false))
        XCTAssertEqual(exact.fraction(0.05), 1, accuracy: 1e-12)
        XCTAssertEqual(exact.ticks.map { exact.label($0) }, ["10⁻³", "10⁻²"])
    }

    func testPercentAxis() throws {
        let axis = try XCTUnwrap(ChartAxis(fitting: [0.52, 0.06], scale: .linear, nice: true, tickCount: 6,
                                           includingZero: true, format: .percent))
        XCTAssertEqual(axis.lower, 0)
        XCTAssertEqual(axis.ticks.map { axis.label($0) }, ["0 %", "10 %", "20 %", "30 %", "40 %", "50 %", "60 %"])
    }

    func testSuperscript() {
        XCTAssertEqual(superscript(0), "⁰")
        XCTAssertEqual(superscript(-12), "⁻¹²")
        XCTAssertEqual(superscript(305), "³⁰⁵")
    }
}
