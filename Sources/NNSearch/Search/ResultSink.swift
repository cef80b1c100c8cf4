import Foundation
import NNSearchKernel

/// Where finished trials go: their curve is written, then their row is recorded in the journal
/// (in batches: trials that finish together share one lock and one views update). Trials paused at
/// a rung go the same way: their curve so far (written under the journal lock, while this process
/// still holds them), then a `reached` record with their metric at the rung and the row they get
/// if pruned there; their checkpoint stays.
///
/// A serial queue does the writing; at most `capacity` results wait, and a worker handing in one
/// more waits for room, so finished results never queue without bound.
final class ResultSink: @unchecked Sendable {
    /// Called on the sink's queue after each recorded trial, with the trials done so far.
    typealias Report = @Sendable (TrialResult, _ done: Int, _ total: Int) -> Void

    private let coordinator: SearchCoordinator
    private let checkpoints: CheckpointStore
    private let report: Report
    private let queue = DispatchQueue(label: "nnsearch.sink")
    private let room: DispatchSemaphore
    /// Results and pauses waiting to be recorded.
    private struct Entry {
        var result: TrialResult
        /// The epoch a paused trial reached (its rung); nil when it finished.
        var pausedAt: Int?
    }

    private var batch: [Entry] = []              // queue only
    private var flushScheduled = false           // queue only
    private let failure = Locked<NNSearchError?>(nil)
    /// Called on the sink's queue after a batch was recorded (set before the first `submit`).
    var onRecorded: @Sendable () -> Void = {}

    init(coordinator: SearchCoordinator, checkpoints: CheckpointStore, capacity: Int, report: @escaping Report) {
        self.coordinator = coordinator
        self.checkpoints = checkpoints
        self.report = report
        room = DispatchSemaphore(value: capacity)
    }

    /// The first write error, if any; after one, results are no longer recorded.
    var error: NNSearchError? { failure.current }

    /// Hands in a finished trial; waits while the sink is full.
    func submit(_ result: TrialResult) {
        room.wait()
        queue.async { [self] in
            defer { room.signal() }
            guard failure.current == nil else { return }
            do {
                let columns = coordinator.columns
                try writeAtomically(Data(columns.curveText(result).utf8), to: coordinator.folder.curve(result.trial.number))
                enqueue(Entry(result: result, pausedAt: nil))
            } catch {
                fail(error)
            }
        }
    }

    /// Hands in a trial paused at a rung: `result` holds its epochs so far (its status is
    /// `pruned`, as its row would be if its rung prunes it); waits while the sink is full.
    func submitPause(_ result: TrialResult) {
        room.wait()
        queue.async { [self] in
            defer { room.signal() }
            guard failure.current == nil else { return }
            enqueue(Entry(result: result, pausedAt: result.records.count))
        }
    }

    /// Adds to the batch; the first of a batch schedules its flush (queue only).
    private func enqueue(_ entry: Entry) {
        batch.append(entry)
        if !flushScheduled {
            // Queued behind results already waiting, so they share one journal append.
            flushScheduled = true
            queue.async { self.flush() }
        }
    }

    /// Waits until every result handed in so far is recorded.
    func drain() {
        queue.sync {}
        queue.sync {}
    }

    private func flush() {
        flushScheduled = false
        let entries = batch
        batch = []
        guard !entries.isEmpty, failure.current == nil else { return }
        let columns = coordinator.columns
        do {
            let accepted = try coordinator.record(entries.map { entry in
                let result = entry.result
                let row = String(csvLine(columns.fields(result)).dropLast())
                guard let epoch = entry.pausedAt else {
                    return SearchCoordinator.Outcome(trial: result.trial.number, metric: columns.metricValue(result), row: row)
                }
                // Ranked at the rung by the metric it would have if it completed here.
                var atRung = result
                atRung.status = .completed
                return SearchCoordinator.Outcome(trial: result.trial.number, metric: columns.metricValue(atRung), row: row,
                                                 pausedAt: epoch, seconds: result.seconds, curve: columns.curveText(result))
            })
            let (done, total) = coordinator.counts
            for (entry, ok) in zip(entries, accepted) {
                let result = entry.result
                guard ok else {
                    coordinator.warn("trial \(result.trial.number): its lease passed to another process; this late result is dropped")
                    continue
                }
                if entry.pausedAt == nil {
                    checkpoints.remove(result.trial.number)
                    report(result, done, total)
                }
            }
            onRecorded()
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: Error) {
        let e = error as? NNSearchError ?? NNSearchError(.io, "\(error)")
        failure.withLock { if $0 == nil { $0 = e } }
    }
}
