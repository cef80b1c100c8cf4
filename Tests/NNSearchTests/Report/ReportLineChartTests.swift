import XCTest
@testable import NNSearch

final class ReportLineChartTests: XCTestCase {
    private func chart(_ points: [(x: Double, y: Double)], logY: Bool = false, step: Bool = false) -> LineChart {
        LineChart(title: "t", xLabel: "x", yLabel: "y",
                  series: [.init(label: "s", points: points, color: "#000", step: step)], logY: logY, legend: false)
    }

    /// The `d` attributes of the chart's data paths (the ones drawn with stroke-width 2).
    private func paths(_ svg: String) -> [String] {
        svg.components(separatedBy: "<path d=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    func testThePointAtTheLargestXIsOnTheRightEdgeAndTheSmallestOnTheLeft() throws {
        // 0.4…9.3: a nice axis would run 0…10; the x axis keeps the data's own range.
        let c = chart([(0.4, 0.5), (3, 0.7), (9.3, 0.9)])
        let g = c.geometry()
        let x = try XCTUnwrap(g.x), y = try XCTUnwrap(g.y)
        XCTAssertEqual(g.frame.x(x.fraction(9.3)), g.frame.right, accuracy: 1e-9)
        XCTAssertEqual(g.frame.x(x.fraction(0.4)), g.frame.left, accuracy: 1e-9)
        let d = try XCTUnwrap(paths(c.svg).first)
        XCTAssertTrue(d.hasPrefix("M\(svgNumber(g.frame.left)) "), d)
        XCTAssertTrue(d.contains("L\(svgNumber(g.frame.right)) \(svgNumber(g.frame.y(y.fraction(0.9))))"), d)
        // y: the largest value is inside the plot, below its top.
        XCTAssertGreaterThanOrEqual(g.frame.y(y.fraction(0.9)), g.frame.top)
        XCTAssertLessThanOrEqual(g.frame.y(y.fraction(0.5)), g.frame.bottom)
    }

    func testNaNAndInfinityAreSkippedAndBreakTheLine() throws {
        let svg = chart([(1, 1), (2, 2), (3, .nan), (4, 3), (5, .infinity), (6, 4), (7, 5)]).svg
        let d = try XCTUnwrap(paths(svg).first)
        XCTAssertEqual(d.filter { $0 == "M" }.count, 2, "one piece before the NaN, one after the infinity: \(d)")
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 1, "the point between them stands alone")
        XCTAssertFalse(svg.lowercased().contains("nan"))
        XCTAssertFalse(svg.contains("inf"))
    }

    func testEmptyDataSaysNoData() {
        for points: [(x: Double, y: Double)] in [[], [(.nan, 1)], [(1, .nan)]] {
            let svg = chart(points).svg
            XCTAssertTrue(svg.contains(">no data</text>"), svg)
            XCTAssertTrue(svg.hasPrefix("<svg"))
            XCTAssertTrue(svg.contains("<title>t</title>"))
            XCTAssertTrue(paths(svg).isEmpty)
        }
        XCTAssertTrue(chart([(1, -1), (2, 0)], logY: true).svg.contains(">no data</text>"), "no positive y on a log axis")
    }

    func testASinglePointIsADot() {
        let svg = chart([(5, 0.7)]).svg
        XCTAssertFalse(svg.contains(">no data</text>"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 1)
        XCTAssertFalse(svg.lowercased().contains("nan"))
    }

    func testAConstantSeriesIsAFlatLineMidway() throws {
        let c = chart([(1, 0.5), (2, 0.5), (3, 0.5)])
        let g = c.geometry()
        let y = try XCTUnwrap(g.y)
        let py = g.frame.y(y.fraction(0.5))
        XCTAssertGreaterThan(py, g.frame.top + 10)
        XCTAssertLessThan(py, g.frame.bottom - 10)
        XCTAssertFalse(c.svg.lowercased().contains("nan"))
    }

    func testLogYLabelsPowersOfTenAndSkipsNonPositiveValues() throws {
        let c = chart([(1, 0.7), (2, 0), (3, 80), (4, 5000)], logY: true)
        XCTAssertTrue(c.svg.contains(">10⁻¹</text>") || c.svg.contains(">10⁰</text>"))
        XCTAssertTrue(c.svg.contains(">10⁴</text>"))
        let d = try XCTUnwrap(paths(c.svg).first)
        XCTAssertEqual(d.filter { $0 == "M" }.count, 1, "the zero breaks the line: the point before it stands alone")
    }

    func testStepsHoldEachValueUntilTheNextChange() throws {
        let c = chart([(0, 1), (1, 1), (2, 2), (3, 2), (4, 2)], step: true)
        let d = try XCTUnwrap(paths(c.svg).first)
        // M(0,1) H(2) V(2) H(4): the unchanged points add no corner.
        XCTAssertEqual(d.filter { $0 == "H" }.count, 2, d)
        XCTAssertEqual(d.filter { $0 == "V" }.count, 1, d)
    }

    func testLegendNamesEverySeriesWithData() {
        let c = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [
            .init(label: "trial 1", points: [(1, 1), (2, 2)], color: "#111"),
            .init(label: "trial 2", points: [(1, 2), (2, 1)], color: "#222", dash: "6 4"),
            .init(label: "trial 3", points: [(1, .nan)], color: "#333"),
        ])
        XCTAssertTrue(c.svg.contains(">trial 1</text>"))
        XCTAssertTrue(c.svg.contains(">trial 2</text>"))
        XCTAssertFalse(c.svg.contains(">trial 3</text>"), "a series with nothing to draw is not in the legend")
        XCTAssertTrue(c.svg.contains("stroke-dasharray=\"6 4\""))
    }
}
