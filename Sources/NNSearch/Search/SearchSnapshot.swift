import Foundation
import NNSearchKernel

/// A search folder read without taking any lock: its spec and what its journal says now.
///
/// The one read model behind `status`, `list`, `stop` and the start/resume checks: state comes
/// from the journal, never from `progress.json`.
package struct SearchSnapshot {
    /// Where a search stands.
    package enum Phase: Equatable {
        /// At least one worker process is live.
        case running
        case finished
        /// Stopped by `nnsearch stop`, a signal or Ctrl-C.
        case stopped
        case timeLimit
        case failed(String)
        /// Its workers are gone without leaving (kill -9, power loss, a lost node).
        case interrupted
        /// Created, never run.
        case new

        package var name: String {
            switch self {
            case .running: "running"
            case .finished: "finished"
            case .stopped: "stopped"
            case .timeLimit: "time limit"
            case .failed: "failed"
            case .interrupted: "interrupted"
            case .new: "not started"
            }
        }
    }

    package let folder: SearchFolder
    package let spec: SearchSpec
    package private(set) var state: SearchState
    /// Damaged bytes met while reading the journal.
    package private(set) var problems: [JournalFrame.Problem]
    /// When it was read (Unix seconds).
    package private(set) var now: Double
    private let file: JournalFile
    private var offset: Int
    /// The metric trials are ranked by, as recorded when the search was created.
    package let metric: Metric?
    /// With `keepRows`: each finished trial's row and the time it was recorded, in finishing order,
    /// since the last `takeRows()`.
    package private(set) var rows: [(trial: Int, row: String, time: Double)] = []
    private let keepRows: Bool

    /// Reads `folder`'s spec and replays its journal; with `keepRows`, keeps the finished trials' rows.
    package init(_ folder: SearchFolder, keepRows: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw NNSearchError(.noInput, "\(folder.path): no such folder")
        }
        guard folder.exists else {
            throw NNSearchError(.noInput, "\(folder.path) is not a search folder (no spec.json)")
        }
        self.folder = folder
        spec = try SearchSpec.load(folder: folder)
        file = try JournalFile(directory: folder.path, create: false)
        state = SearchState(trialCount: TrialPlan(spec: spec).count, crossValidated: spec.validation.crossValidation != nil)
        problems = []
        offset = 0
        now = 0
        metric = folder.recordedMetric
        self.keepRows = keepRows
        try refresh()
    }

    /// Reads what was appended since, and the time.
    package mutating func refresh() throws {
        let scan = try file.read(from: offset)
        for entry in scan.entries {
            if case .finished(let f, let row) = state.apply(entry.record, at: entry.offset), keepRows {
                rows.append((f.trial, row, f.time))
            }
        }
        problems += scan.problems
        offset = scan.settled
        now = Date().timeIntervalSince1970
    }

    /// The rows read since the last call, handed over (so they are not kept twice).
    package mutating func takeRows() -> [(trial: Int, row: String, time: Double)] {
        defer { rows = [] }
        return rows
    }

    /// Worker processes live now (one of this machine whose pid is gone is not, whatever its lease says).
    package var live: [SearchState.Process] { state.runningProcesses(at: now) }

    package var phase: Phase {
        if !live.isEmpty { return .running }
        if state.isComplete { return .finished }
        if state.stopped { return .stopped }
        if state.processes.isEmpty { return .new }
        // A process that vanished without leaving, after the last one that left: interrupted.
        let lastLeave = state.lastLeave
        let vanished = state.processes.values.filter { $0.left == nil }.map(\.lastSeen).max()
        if let vanished, vanished >= (lastLeave?.time ?? -.infinity) { return .interrupted }
        guard let reason = lastLeave?.reason, !reason.hasPrefix("vanished") else { return .interrupted }
        if reason == "time limit" { return .timeLimit }
        if reason.hasPrefix("failed: ") { return .failed(String(reason.dropFirst("failed: ".count))) }
        if reason == "signal" || reason == "stopped" { return .stopped }
        return .interrupted
    }

    /// The best finished trial (`TrialRank`) and its metric value (trials that did not complete never count).
    package var best: (trial: Int, value: Double)? {
        let maximize = metric?.maximize ?? true
        let best = state.finished.values.filter { !$0.metric.isNaN }.map(\.rank)
            .min { $0.precedes($1, maximize: maximize) }
        return best.map { ($0.trial, $0.metric) }
    }
}

extension SearchFolder {
    /// The journal: every event of the search, the single truth.
    package var journal: String { file("journal") }

    /// The metric recorded in `origin` when the search was created.
    package var recordedMetric: Metric? { SearchOrigin.read(self).metric }
}

extension SearchState {
    /// Processes live at `now`, leaving out those of this machine whose pid is gone (kill -9)
    /// before their lease lapses.
    package func runningProcesses(at now: Double) -> [Process] {
        liveProcesses(at: now).filter { $0.pidSpace != localPidSpace || Daemon.isAlive($0.pid) }
    }
}
