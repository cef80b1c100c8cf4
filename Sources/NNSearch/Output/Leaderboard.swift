import Foundation

/// Every finished trial ranked best first (`TrialRank`: by the metric, ties by validation loss,
/// then trial number), kept in memory and written whole to `leaderboard.csv` after each change.
///
/// Rows are formatted once, when they arrive; a rewrite only prefixes ranks and concatenates,
/// so it stays cheap with tens of thousands of trials.
package struct Leaderboard {
    private struct Entry {
        var rank: TrialRank
        var row: [UInt8]       // the CSV row after the rank column, with its newline, as UTF-8
    }

    let header: String
    private let maximize: Bool
    private var entries: [Entry] = []

    package init(columns: ResultColumns) {
        header = csvLine(["rank"] + columns.header)
        maximize = columns.metric.maximize
    }

    package var count: Int { entries.count }

    /// The best trial's number and metric value, if any trial finished without diverging.
    private(set) var best: (trial: Int, value: Double)? = nil

    /// Adds a trial given its metric value (NaN when it did not complete), validation loss and formatted row fields.
    package mutating func insert(trial: Int, metricValue: Double, valLoss: Double, fields: [String]) {
        insert(TrialRank(metric: metricValue, valLoss: valLoss, trial: trial), line: Array(csvLine(fields).utf8))
    }

    /// Adds a trial given its rank and its CSV row with its newline, as UTF-8.
    mutating func insert(_ rank: TrialRank, line: [UInt8]) {
        // Binary search for the first entry that ranks after the new one.
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].rank.precedes(rank, maximize: maximize) { lo = mid + 1 } else { hi = mid }
        }
        entries.insert(Entry(rank: rank, row: line), at: lo)
        if let first = entries.first?.rank, !first.metric.isNaN {
            best = (first.trial, first.metric)
        }
    }

    /// The best `k` completed trials (diverged and pruned ones never count), best first.
    func top(_ k: Int) -> [TrialRank] { entries.prefix(k).map(\.rank).filter { !$0.metric.isNaN } }

    /// Every row (with its newline, as UTF-8) by trial number.
    func rowsByTrial() -> [Int: [UInt8]] {
        Dictionary(entries.map { ($0.rank.trial, $0.row) }, uniquingKeysWith: { a, _ in a })
    }

    /// The whole file's text: ranks and preformatted rows copied into one buffer.
    func text() -> Data {
        let headerBytes = Array(header.utf8)
        var size = headerBytes.count
        for e in entries { size += e.row.count + 21 }
        var out = Data(count: size)
        let used = out.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) -> Int in
            let base = buffer.baseAddress!
            var at = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                (base + at).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                at += bytes.count
            }
            headerBytes.withUnsafeBytes(put)
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes of scratch for a rank
            withUnsafeMutableBytes(of: &digits) { scratch in
                for (i, e) in entries.enumerated() {
                    var n = i + 1, k = 23
                    scratch[k] = UInt8(ascii: ",")
                    repeat { k -= 1; scratch[k] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10 } while n > 0
                    put(UnsafeRawBufferPointer(rebasing: scratch[k..<24]))
                    e.row.withUnsafeBytes(put)
                }
            }
            return at
        }
        out.count = used
        return out
    }

    /// Rewrites `path` atomically (temp file + rename): readers never see a partial leaderboard.
    package func write(to path: String) throws {
        try writeAtomically(text(), to: path)
    }
}
