import Foundation
import XCTest
@testable import NNSearch

final class ReportPageTests: XCTestCase {
    private let page = ReportPage.html(ReportSamples.plausible())

    func testEverySectionIsThereOnceInOrder() throws {
        var last = page.startIndex
        for id in ReportPage.sectionIDs {
            let marker = "<section id=\"\(id)\">"
            XCTAssertEqual(page.components(separatedBy: marker).count - 1, 1, id)
            let found = try XCTUnwrap(page.range(of: marker), id)
            XCTAssertGreaterThan(found.lowerBound, last, "\(id) is out of order")
            last = found.lowerBound
        }
        XCTAssertEqual(ReportPage.sectionIDs, ["summary", "explanation", "diagnosis", "importance", "top-trials",
                                               "best-so-far", "curves", "hyperparameters"])
    }

    func testThePageStatesHowManyChartsItHas() {
        for content in [ReportSamples.plausible(), ReportSamples.hostile(), ReportSamples.empty()] {
            let html = ReportPage.html(content)
            let count = ReportPage.chartCount(content)
            XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, count)
            XCTAssertEqual(html.components(separatedBy: "<svg class=\"chart\"").count - 1, count)
            XCTAssertTrue(html.contains("<meta name=\"nnsearch-charts\" content=\"\(count)\">"))
        }
        XCTAssertEqual(ReportPage.chartCount(ReportSamples.plausible()), 12)
    }

    func testEveryChartHasATitleFirst() {
        for chunk in page.components(separatedBy: "<svg ").dropFirst() {
            let afterTag = chunk[chunk.index(after: chunk.firstIndex(of: ">")!)...]
            XCTAssertTrue(afterTag.hasPrefix("<title>"), String(afterTag.prefix(60)))
            XCTAssertFalse(afterTag.hasPrefix("<title></title>"))
        }
    }

    func testNothingRunsOrIsFetched() throws {
        for content in [ReportSamples.plausible(), ReportSamples.empty()] {
            let html = ReportPage.html(content).lowercased()
            XCTAssertFalse(html.contains("<script"))
            XCTAssertFalse(html.contains("http://"))
            XCTAssertFalse(html.contains("https://"))
            XCTAssertFalse(html.contains("@import"))
            XCTAssertFalse(html.contains(" src="))
            // url( only to fragments or data, href only to fragments or data.
            for chunk in html.components(separatedBy: "url(").dropFirst() {
                let target = chunk.drop { $0 == "'" || $0 == "\"" || $0 == " " }
                XCTAssertTrue(target.hasPrefix("#") || target.hasPrefix("data:"), String(chunk.prefix(40)))
            }
            for chunk in html.components(separatedBy: "href=\"").dropFirst() {
                XCTAssertTrue(chunk.hasPrefix("#") || chunk.hasPrefix("data:"), String(chunk.prefix(40)))
            }
        }
        XCTAssertTrue(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""))
    }

    func testHostileTextIsShownNeverObeyed() throws {
        let html = ReportPage.html(ReportSamples.hostile())
        // Every tag in the page is one the renderer writes, with attributes it writes.
        let tags: Set<String> = ["!doctype", "html", "head", "meta", "link", "title", "style", "body", "main",
                                 "section", "h1", "h2", "p", "nav", "ul", "li", "a", "div", "figure", "svg", "text",
                                 "line", "rect", "circle", "path", "table", "thead", "tbody", "tr", "th", "td",
                                 "span", "footer"]
        let attributes: Set<String> = ["lang", "charset", "name", "content", "http-equiv", "rel", "href", "id",
                                       "class", "style", "viewbox", "role", "font-size", "preserveaspectratio",
                                       "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "d",
                                       "fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linejoin",
                                       "stroke-linecap", "fill-opacity", "text-anchor", "font-weight", "transform"]
        let tagPattern = try NSRegularExpression(pattern: "<(/?)([!a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
        let attributePattern = try NSRegularExpression(pattern: "\\s([a-zA-Z:-]+)=\"([^\"]*)\"")
        let whole = NSRange(html.startIndex..., in: html)
        var seen = 0
        for match in tagPattern.matches(in: html, range: whole) {
            let name = String(html[Range(match.range(at: 2), in: html)!]).lowercased()
            XCTAssertTrue(tags.contains(name), "unexpected <\(name)>")
            let rest = String(html[Range(match.range(at: 3), in: html)!])
            for a in attributePattern.matches(in: rest, range: NSRange(rest.startIndex..., in: rest)) {
                let attribute = String(rest[Range(a.range(at: 1), in: rest)!]).lowercased()
                XCTAssertTrue(attributes.contains(attribute), "unexpected \(attribute)= on <\(name)>")
            }
            seen += 1
        }
        XCTAssertGreaterThan(seen, 100)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<img"))
        XCTAssertFalse(html.contains("<iframe"))
        XCTAssertFalse(html.contains("<svg onload"))
        // …and the text is there, escaped, for a person to read.
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;http://example.com/x.png&quot;"))
        XCTAssertTrue(html.contains("&quot;&gt;&lt;svg onload=alert(3)&gt;"))
        XCTAssertTrue(html.contains("&lt;/svg&gt;&lt;script&gt;alert(5)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;!-- an unclosed comment"))
        XCTAssertFalse(html.contains("\u{0}"))
    }

    func testTheTableShowsEveryRowAndAlignsNumbersRight() {
        let content = ReportSamples.plausible()
        XCTAssertEqual(page.components(separatedBy: "<tr>").count - 1, content.topTrials.count + 1)
        XCTAssertTrue(page.contains("<th class=\"num\">val_accuracy</th>"))
        XCTAssertTrue(page.contains("<th>hidden</th>"))
        XCTAssertTrue(page.contains("<span class=\"chip dg-ok\"></span>ok"))
    }

    func testEmptySearchStillHasEverySectionAndSaysThereIsNoData() {
        let html = ReportPage.html(ReportSamples.empty())
        for id in ReportPage.sectionIDs { XCTAssertTrue(html.contains("<section id=\"\(id)\">"), id) }
        XCTAssertEqual(html.components(separatedBy: ">no data</text>").count - 1, 7)
        XCTAssertTrue(html.contains("No trial has finished yet."))
    }

    func testTimesAreShownInAReadableUnit() {
        XCTAssertEqual(ReportPage.timeUnit([1, 170]).name, "seconds")
        XCTAssertEqual(ReportPage.timeUnit([1, 900]).name, "minutes")
        XCTAssertEqual(ReportPage.timeUnit([.nan, 5 * 3600]).name, "hours")
        XCTAssertEqual(ReportPage.timeUnit([]).name, "seconds")
    }

    func testCategoriesFollowTheGivenOrderThenFirstSeen() {
        let plot = ReportContent.HyperparameterPlot(
            name: "activation", scale: .categorical(["tanh", "relu"]),
            points: [.init(category: "gelu", metric: 0.9, diagnosis: "ok"),
                     .init(category: "relu", metric: 0.8, diagnosis: "ok"),
                     .init(x: 3, metric: 0.7, diagnosis: "ok")])
        let chart = ReportPage.scatter(plot, metric: "acc", colors: [:], order: [])
        guard case .categorical(let names) = chart.xKind else { return XCTFail("not categorical") }
        XCTAssertEqual(names, ["tanh", "relu", "gelu", "3"])
        XCTAssertEqual(chart.points.map(\.x), [2, 1, 3])
    }
}
