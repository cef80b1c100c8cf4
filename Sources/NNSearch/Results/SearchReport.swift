import Foundation

/// Writing a search's `report.html`, and keeping it fresh while workers run.
package enum SearchReport {
    /// Renders `results` and replaces `path` atomically.
    package static func write(_ results: SearchResults, to path: String) throws {
        let content = ReportContent(results: results, explanation: Explanation(results))
        try writeAtomically(Data(ReportPage.html(content).utf8), to: path)
    }

    /// Refreshes a folder's report from a worker: reads only what the journal gained since, and
    /// rewrites at most once per 50× what a rewrite costs (at least 2 s apart), so the report takes
    /// at most 2 % of a core however many trials the search has.
    package final class Refresher: @unchecked Sendable {
        private let folder: SearchFolder
        private var results: SearchResults?
        private var shown = -1
        private var written = 0.0
        private var cost = 0.0

        package init(folder: SearchFolder) {
            self.folder = folder
        }

        /// Rewrites the report if trials finished since and it is due (or `force`); errors are returned, not thrown.
        package func refresh(force: Bool = false) -> Error? {
            let now = Date().timeIntervalSince1970
            guard force || now - written >= max(2, 50 * cost) else { return nil }
            do {
                if results == nil { results = try SearchResults(folder) } else { try results!.refresh() }
                guard force || results!.trials.count != shown else { return nil }
                try SearchReport.write(results!, to: folder.report)
                shown = results!.trials.count
                written = Date().timeIntervalSince1970
                cost = written - now
                return nil
            } catch {
                // Tried again no sooner than a minute later, so a lasting cause is not reported every 2 s.
                written = Date().timeIntervalSince1970
                cost = max(cost, 60.0 / 50)
                return error
            }
        }
    }
}

extension SearchFolder {
    /// The HTML report (`nnsearch report`, refreshed by the workers).
    package var report: String { file("report.html") }
}
