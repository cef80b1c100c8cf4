import Foundation

/// The files of one search folder (`searches/x/`), by name.
package struct SearchFolder: Sendable {
    /// The folder's path as given (relative or absolute).
    package let path: String

    package init(_ path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The folder a spec writes to by default: the spec's path without `.json` (`searches/x.json` → `searches/x`).
    package static func defaultPath(forSpec spec: String) -> String {
        spec.hasSuffix(".json") ? String(spec.dropLast(5)) : spec + ".search"
    }

    package func file(_ name: String) -> String { path + "/" + name }

    /// The spec as run: the truth for status and resume.
    package var spec: String { file("spec.json") }
    /// One row per finished trial, in finishing order.
    package var trials: String { file("trials.csv") }
    /// Every finished trial, best first.
    package var leaderboard: String { file("leaderboard.csv") }
    /// Scheduler state for `status` and `list`.
    package var progress: String { file("progress.json") }
    /// The daemon's standard output and error.
    package var log: String { file("search.log") }
    var curves: String { file("curves") }
    /// Checkpoints of trials in flight.
    package var checkpoints: String { file("checkpoints") }
    /// The best trials' models (`keep_models`).
    package var models: String { file("models") }

    /// The kept model of trial `number`.
    package func model(_ number: Int) -> String { models + "/trial-" + Self.paddedNumber(number) + ".json" }

    /// The checkpoint of trial `number` while it runs.
    func checkpoint(_ number: Int) -> String { checkpoints + "/trial-" + Self.paddedNumber(number) + ".ckpt" }

    /// Per-epoch figures of trial `number`.
    func curve(_ number: Int) -> String { curves + "/trial-" + Self.paddedNumber(number) + ".csv" }

    /// The trial number with at least four digits (`0007`).
    static func paddedNumber(_ number: Int) -> String {
        let s = String(number)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }

    /// True when the folder holds a search (it has a spec copy).
    package var exists: Bool { FileManager.default.fileExists(atPath: spec) }
}
