import Foundation

/// Every finished trial ranked best first by the metric (ties by trial number), kept in memory
/// and written whole to `leaderboard.csv` after each change.
///
/// Rows are formatted once, when they arrive; a rewrite only prefixes ranks and concatenates,
/// so it stays cheap with tens of thousands of trials.
struct Leaderboard {
    private struct Entry {
        var score: Double      // larger is better; -inf for diverged
        var trial: Int
        var row: String        // the CSV row after the rank column, with its newline
    }

    let header: String
    private let maximize: Bool
    private var entries: [Entry] = []

    init(columns: ResultColumns) {
        header = csvLine(["rank"] + columns.header)
        maximize = columns.metric.maximize
    }

    var count: Int { entries.count }

    /// The best trial's number and metric value, if any trial finished without diverging.
    private(set) var best: (trial: Int, value: Double)? = nil

    /// Adds a trial given its metric value (NaN when it diverged) and its formatted row fields.
    mutating func insert(trial: Int, metricValue: Double, fields: [String]) {
        let score = metricValue.isNaN ? -Double.infinity : (maximize ? metricValue : -metricValue)
        let entry = Entry(score: score, trial: trial, row: csvLine(fields))
        // Binary search for the first entry that ranks after the new one.
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let e = entries[mid]
            if e.score > score || (e.score == score && e.trial < trial) { lo = mid + 1 } else { hi = mid }
        }
        entries.insert(entry, at: lo)
        if let first = entries.first, first.score > -Double.infinity {
            best = (first.trial, maximize ? first.score : -first.score)
        }
    }

    /// The whole file's text.
    func text() -> Data {
        var out = Data(capacity: header.utf8.count + entries.reduce(0) { $0 + $1.row.utf8.count + 7 })
        out.append(contentsOf: header.utf8)
        for (i, e) in entries.enumerated() {
            out.append(contentsOf: String(i + 1).utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: e.row.utf8)
        }
        return out
    }

    /// Rewrites `path` atomically (temp file + rename): readers never see a partial leaderboard.
    func write(to path: String) throws {
        try writeAtomically(text(), to: path)
    }
}
