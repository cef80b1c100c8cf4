import XCTest
@testable import NNSearch

final class ReportEscapingTests: XCTestCase {
    func testMarkupCharactersBecomeReferences() {
        XCTAssertEqual(htmlEscaped("plain text · é 🙂"), "plain text · é 🙂")
        XCTAssertEqual(htmlEscaped("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        XCTAssertEqual(htmlEscaped("a \"b\" & c"), "a &quot;b&quot; &amp; c")
        XCTAssertEqual(htmlEscaped("&amp;"), "&amp;amp;")
    }

    func testCharactersHTMLForbidsAreReplaced() {
        var text = "a\u{0}b\u{7}c\u{7F}d\u{85}e"
        text.unicodeScalars.append(Unicode.Scalar(0xFFFE)!)
        text += "f"
        text.unicodeScalars.append(Unicode.Scalar(0xFDD0)!)
        XCTAssertEqual(htmlEscaped(text), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}")
        XCTAssertEqual(htmlEscaped("tab\tline\ncr\r"), "tab\tline\ncr\r")
    }

    func testNothingEscapedCanOpenATagOrEndAnAttribute() {
        let hostile = "\"'><img src=x onerror=alert(1)><!--"
        let escaped = htmlEscaped(hostile)
        XCTAssertFalse(escaped.contains("<"))
        XCTAssertFalse(escaped.contains(">"))
        XCTAssertFalse(escaped.contains("\""))
        XCTAssertFalse(escaped.contains("'"))
    }
}
