import XCTest
@testable import NNSearch

final class ReportScatterChartTests: XCTestCase {
    private func circles(_ svg: String) -> [(x: Double, y: Double, fill: String)] {
        svg.components(separatedBy: "<circle ").dropFirst().map { tag in
            func attribute(_ name: String) -> String {
                let start = tag.range(of: "\(name)=\"")!.upperBound
                return String(tag[start...].prefix { $0 != "\"" })
            }
            return (Double(attribute("cx"))!, Double(attribute("cy"))!, attribute("fill"))
        }
    }

    func testNumericPointsSpanThePlotAndTakeTheirGroupsColour() throws {
        let chart = ScatterChart(title: "lr", xLabel: "lr", yLabel: "acc", xKind: .numeric(log: true),
                                 points: [.init(x: 1e-4, y: 0.5, group: "chance"), .init(x: 1e-1, y: 0.9, group: "ok"),
                                          .init(x: 1e-2, y: 0.8, group: "other")],
                                 colors: ["ok": "#0a0", "chance": "#00a"])
        let g = chart.geometry()
        let dots = circles(chart.svg)
        XCTAssertEqual(dots.count, 3)
        let right = try XCTUnwrap(dots.first { $0.fill == "#0a0" })
        XCTAssertEqual(right.x, g.frame.right - g.frame.insetX, accuracy: 0.05)
        let left = try XCTUnwrap(dots.first { $0.fill == "#00a" })
        XCTAssertEqual(left.x, g.frame.left + g.frame.insetX, accuracy: 0.05)
        XCTAssertTrue(dots.contains { $0.fill == ScatterChart.otherColor })
        XCTAssertTrue(chart.svg.contains(">10⁻²</text>"))
    }

    func testCategoriesGetOneColumnEachAndTheirPointsStayInIt() throws {
        let names = ["relu", "tanh", "sigmoid"]
        let points = (0..<30).map { ScatterChart.Point(x: Double($0 % 3), y: Double($0) / 30, group: "ok") }
        let chart = ScatterChart(title: "activation", xLabel: "activation", yLabel: "acc",
                                 xKind: .categorical(names), points: points, colors: ["ok": "#0a0"])
        let g = chart.geometry()
        let slot = g.frame.width / 3
        for dot in circles(chart.svg) {
            let column = Int((dot.x - g.frame.left) / slot)
            XCTAssertTrue((0..<3).contains(column))
            XCTAssertLessThan(abs(dot.x - (g.frame.left + (Double(column) + 0.5) * slot)), slot / 2)
        }
        for name in names { XCTAssertTrue(chart.svg.contains(">\(name)</text>"), name) }
    }

    func testPointsWithNoFiniteMetricAreCrossesInANoneBand() throws {
        let chart = ScatterChart(title: "lr", xLabel: "lr", yLabel: "acc", xKind: .numeric(log: false),
                                 points: [.init(x: 1, y: 0.5, group: "ok"), .init(x: 2, y: .nan, group: "diverged"),
                                          .init(x: 3, y: .infinity, group: "diverged")],
                                 colors: ["diverged": "#d00"])
        let g = chart.geometry()
        XCTAssertEqual(g.noneBand, ScatterChart.noneBand)
        XCTAssertEqual(circles(chart.svg).count, 1)
        XCTAssertTrue(chart.svg.contains(">none</text>"))
        XCTAssertEqual(chart.svg.components(separatedBy: "l6 6m0 -6l-6 6").count - 1, 2)
        XCTAssertFalse(chart.svg.lowercased().contains("nan"))
    }

    func testEmptyDataSaysNoData() {
        for kind in [ScatterChart.XKind.numeric(log: true), .numeric(log: false), .categorical(["a"])] {
            let svg = ScatterChart(title: "t", xLabel: "x", yLabel: "y", xKind: kind, points: []).svg
            XCTAssertTrue(svg.contains(">no data</text>"), svg)
        }
        let logOfZero = ScatterChart(title: "t", xLabel: "x", yLabel: "y", xKind: .numeric(log: true),
                                     points: [.init(x: 0, y: 1, group: "ok")]).svg
        XCTAssertTrue(logOfZero.contains(">no data</text>"))
    }

    func testPointsOnTheSamePixelAreDrawnOnce() {
        let points = Array(repeating: ScatterChart.Point(x: 1, y: 0.5, group: "ok"), count: 1000)
            + [.init(x: 2, y: 0.7, group: "ok")]
        let svg = ScatterChart(title: "t", xLabel: "x", yLabel: "y", xKind: .numeric(log: false), points: points).svg
        XCTAssertEqual(circles(svg).count, 2)
    }

    func testLongCategoryNamesAreTurnedAndCut() {
        let names = ["[512, 512, 512, 512]", "[256, 256, 256, 256]", "[128, 128]", "[64]"]
        let svg = ScatterChart(title: "t", xLabel: "hidden", yLabel: "y", xKind: .categorical(names),
                               points: [.init(x: 0, y: 1, group: "ok")]).svg
        XCTAssertTrue(svg.contains("rotate(-35"))
        XCTAssertTrue(svg.contains("<title>[512, 512, 512, 512]</title>"), "the full name is the tooltip")
    }
}
