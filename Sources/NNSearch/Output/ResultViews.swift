import Foundation
import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// The files a search's results are read from, derived from its journal: `trials.csv` (append-only,
/// in finishing order), `leaderboard.csv` (rewritten atomically) and `progress.json`.
///
/// Whichever process records a finish updates them while it holds the journal lock. A view that
/// does not match the journal (deleted, edited, or left short by a crash between the journal
/// append and the row append) is rebuilt from the journal.
struct ResultViews {
    let folder: SearchFolder
    let columns: ResultColumns
    private(set) var leaderboard: Leaderboard
    /// The size `trials.csv` has when it holds every finished trial added so far.
    private(set) var trialsBytes: Int
    private let headerLine: [UInt8]

    init(folder: SearchFolder, columns: ResultColumns) {
        self.folder = folder
        self.columns = columns
        leaderboard = Leaderboard(columns: columns)
        headerLine = Array(csvLine(columns.header).utf8)
        trialsBytes = headerLine.count
    }

    /// Takes a finished trial's row into the views (in memory; `appendRows` and `write…` put it on disk).
    mutating func add(_ f: SearchState.Finished, row: String) {
        let line = Array((row + "\n").utf8)
        leaderboard.insert(TrialRank(metric: f.metric, valLoss: f.valLoss, trial: f.trial), line: line)
        trialsBytes += line.count
    }

    // MARK: - trials.csv

    /// Makes `trials.csv` hold exactly the rows of `state`, rebuilding it atomically when it does
    /// not (deleted, edited, or short of rows a crash kept from it). Returns a sentence when it had to.
    func syncTrials(_ state: SearchState) throws -> String? {
        // Opened, not stat'ed by path: opening revalidates the size on NFS (close-to-open).
        var actual = -1
        let fd = open(folder.trials, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            var info = stat()
            if fstat(fd, &info) == 0 { actual = Int(info.st_size) }
            close(fd)
        }
        if actual == trialsBytes { return nil }
        let rows = leaderboard.rowsByTrial()
        var text = headerLine
        for trial in state.finishOrder {
            if let row = rows[trial] { text += row }
        }
        try writeAtomically(Data(text), to: folder.trials)
        let count = state.finishOrder.count
        if actual < 0 { return count == 0 ? nil : "trials.csv was missing: rebuilt from the journal (\(count) rows)" }
        return "trials.csv did not match the journal (\(actual) bytes, expected \(trialsBytes)): rebuilt from it (\(count) rows)"
    }

    /// Appends rows (already in the journal) to `trials.csv` with one write.
    func appendRows(_ rows: [String]) throws {
        guard !rows.isEmpty else { return }
        var bytes = [UInt8]()
        for row in rows { bytes += Array((row + "\n").utf8) }
        let fd = open(folder.trials, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("cannot open \(folder.trials)") }
        defer { close(fd) }
        try FaultInjection.check("append:trials.csv")
        guard bytes.withUnsafeBytes({ writeAll(fd, $0) }) else { throw ioError("cannot append to \(folder.trials)") }
        try FaultInjection.check("appended:trials.csv")
    }

    // MARK: - leaderboard.csv and progress.json

    /// Rewrites `leaderboard.csv` atomically with every finished trial.
    func writeLeaderboard() throws {
        try leaderboard.write(to: folder.leaderboard)
    }

    /// The progress as the journal says at `now`, as `progress.json` and `status` show it.
    func progress(_ state: SearchState, now: Double, stateName: String, message: String? = nil) -> Progress {
        Progress(state: stateName, pid: getpid(), done: state.doneCount, total: state.trialCount, running: state.running(at: now),
                        metric: columns.metric.rawValue, bestTrial: leaderboard.best?.trial,
                        bestValue: leaderboard.best?.value, elapsed: state.elapsed(at: now), message: message)
    }

    /// Rewrites `progress.json` atomically.
    func writeProgress(_ progress: Progress) throws {
        try writeAtomically(progress.json(), to: folder.progress)
    }
}
