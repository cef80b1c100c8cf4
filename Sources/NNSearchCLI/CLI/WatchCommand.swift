import Foundation
import NNSearch
import NNSearchKernel

/// `nnsearch watch DIR [--interval S]`: a live view of a search for as long as it runs — progress,
/// the top 10, the running trials with their epoch and metric, the best so far.
///
/// On a terminal the view is redrawn in place; otherwise a block of plain lines is printed each
/// time a trial finishes. It ends (exit 0) once no worker is live, after a last view.
enum WatchCommand {
    static let usage = "nnsearch watch DIR [--interval S]"
    /// Trials shown in the ranking.
    static let top = 10

    static func run(_ arguments: [String]) throws -> Int32 {
        let args = try Arguments(arguments, command: "watch", options: ["interval"], flags: [])
        try args.expectPositionals(1, 1, usage: usage)
        let interval = try args.seconds("interval", in: 0.05...60, command: "watch") ?? 0.5
        var results = try SearchResults(SearchFolder(args.positionals[0]))
        let terminal = isatty(1) == 1
        var shown = -1
        while true {
            let phase = results.phase
            let view = lines(results, width: terminal ? terminalWidth() : 200)
            if terminal {
                // Home, the view, then clear whatever the previous (longer) view left below.
                standardOutput("\u{1B}[H" + view.map { $0 + "\u{1B}[K\n" }.joined() + "\u{1B}[J")
            } else if results.trials.count != shown || phase != .running {
                standardOutput(view.joined(separator: "\n") + "\n\n")
            }
            shown = results.trials.count
            // A search no worker has joined yet (a job array still queued) is waited for.
            guard phase == .running || phase == .new else { return 0 }
            usleep(useconds_t(interval * 1_000_000))
            try results.refresh()
        }
    }

    /// The view as lines no wider than `width`.
    static func lines(_ r: SearchResults, width: Int) -> [String] {
        let metric = r.metric.rawValue
        var out = ["\(r.folder.path): \(r.phase.name) · \(r.trials.count)/\(r.trialCount) trials · \(formatDuration(r.elapsed)) elapsed"
                   + (r.phase == .running ? " · \(r.snapshot.live.count) worker process\(r.snapshot.live.count == 1 ? "" : "es")" : "")]
        let done = Double(r.trials.count) / Double(max(r.trialCount, 1))
        let bar = max(10, min(50, width - 10))
        let filled = Int((done * Double(bar)).rounded(.down))
        out.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: bar - filled) + "] "
                   + String(format: "%.0f %%", done * 100))
        if let best = r.best {
            out.append("best so far: trial \(best.number), \(metric) \(formatNumber(best.metric)) (\(best.diagnosis?.rawValue ?? "-"))")
        }
        let running = r.running
        if !running.isEmpty {
            out.append("")
            out.append("running:")
            for t in running.prefix(top) {
                // Epochs come with heartbeats (every few seconds): a trial claimed since shows as started.
                let folds = r.spec.validation.crossValidation.map { " over \($0.folds) folds" + ($0.repeats == 1 ? "" : " × \($0.repeats) repeats") } ?? ""
                let progress = t.epoch == 0 && t.metric == nil ? "started, \(t.epochs) epochs\(folds)"
                    : StatusCommand.epochText(t.epoch, of: t.epochs, validation: r.spec.validation)
                out.append("  trial \(t.trial)  \(progress)" + (t.metric.map { "  \(metric) \(formatSignificant($0, digits: 4))" } ?? ""))
            }
            if running.count > top { out.append("  and \(running.count - top) more") }
        }
        let ranked = r.ranked.prefix(top)
        if !ranked.isEmpty {
            out.append("")
            let varying = r.dimensions.enumerated().filter { !$0.element.fixed }
            var rows = [["RANK", "TRIAL", metric.uppercased(), "DIAGNOSIS"] + varying.map { $0.element.name.uppercased() }]
            for (i, t) in ranked.enumerated() {
                let value = t.metric.isNaN ? t.status.rawValue : formatSignificant(t.metric, digits: 4)
                rows.append([String(i + 1), String(t.number), value, t.diagnosis?.rawValue ?? "-"] + varying.map { shortenNumber(t.values[$0.offset]) })
            }
            out += textTable(rows)   // cut to the width with every line below
        }
        if r.phase != .running {
            out.append("")
            out.append(r.phase == .finished ? "finished; why: nnsearch explain \(r.folder.path)"
                                            : "not running; continue it with: nnsearch resume \(r.folder.path)")
        }
        return out.map { String($0.prefix(width)) }
    }


    /// The terminal's width in columns (80 when unknown).
    static func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}
