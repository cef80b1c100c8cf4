import Foundation
import XCTest
@testable import NNSearch

/// Writes sample report pages for `Tests/report/chromium.sh` when `NNSEARCH_REPORT_SAMPLE` names
/// a file: the plausible sample there, and `-hostile.html` and `-empty.html` pages beside it.
/// Without it, only checks that the samples render.
final class ReportSampleTests: XCTestCase {
    func testWritesSamplePagesWhenAsked() throws {
        let pages = [
            ("", ReportSamples.plausible()),
            ("-hostile", ReportSamples.hostile()),
            ("-empty", ReportSamples.empty()),
        ].map { ($0.0, ReportPage.html($0.1), ReportPage.chartCount($0.1)) }
        for (_, html, charts) in pages {
            XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, charts)
        }
        guard let path = ProcessInfo.processInfo.environment["NNSEARCH_REPORT_SAMPLE"], !path.isEmpty else { return }
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        for (suffix, html, _) in pages {
            let file = url.deletingLastPathComponent().appendingPathComponent(stem + suffix + ".html")
            try Data(html.utf8).write(to: file)
        }
    }
}
