import XCTest
@testable import NNSearch

final class ReportBarChartTests: XCTestCase {
    private func widths(_ svg: String) -> [Double] {
        svg.components(separatedBy: "<rect ").dropFirst().filter { $0.contains("<title>") }.map { tag in
            let start = tag.range(of: "width=\"")!.upperBound
            return Double(String(tag[start...].prefix { $0 != "\"" }))!
        }
    }

    func testBarsAreProportionalToTheirValuesAndStartAtZero() throws {
        let chart = BarChart(title: "t", valueLabel: "trials", bars: [
            .init(label: "ok", value: 30, valueText: "30", color: "#0a0"),
            .init(label: "diverged", value: 10, valueText: "10", color: "#d00"),
            .init(label: "pruned", value: 0, valueText: "0", color: "#888"),
        ])
        let w = widths(chart.svg)
        XCTAssertEqual(w.count, 3)
        XCTAssertEqual(w[0] / w[1], 3, accuracy: 0.05)
        XCTAssertEqual(w[2], 0)
        let g = chart.geometry()
        XCTAssertEqual(try XCTUnwrap(g.x).lower, 0)
        for text in [">ok</text>", ">diverged</text>", ">30</text>", ">10</text>", ">trials</text>"] {
            XCTAssertTrue(chart.svg.contains(text), text)
        }
    }

    func testNonFiniteValuesGetNoBarButKeepTheirRow() {
        let svg = BarChart(title: "t", valueLabel: "v", bars: [
            .init(label: "a", value: .nan, valueText: "–", color: "#000"),
            .init(label: "b", value: 0.5, valueText: "50 %", color: "#000"),
        ], format: .percent).svg
        XCTAssertEqual(widths(svg).count, 1)
        XCTAssertTrue(svg.contains(">a</text>"))
        XCTAssertTrue(svg.contains(">50 %</text>"))
        XCTAssertFalse(svg.lowercased().contains("nan"))
    }

    func testEmptyDataSaysNoData() {
        XCTAssertTrue(BarChart(title: "t", valueLabel: "v", bars: []).svg.contains(">no data</text>"))
    }
}
