import Foundation
import NNSearchKernel

/// Where finished trials go: their curve is written, then their row is recorded in the journal
/// (in batches: trials that finish together share one lock and one views update).
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
    private var batch: [TrialResult] = []        // queue only
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
                batch.append(result)
                if !flushScheduled {
                    // Queued behind results already waiting, so they share one journal append.
                    flushScheduled = true
                    queue.async { self.flush() }
                }
            } catch {
                fail(error)
            }
        }
    }

    /// Waits until every result handed in so far is recorded.
    func drain() {
        queue.sync {}
        queue.sync {}
    }

    private func flush() {
        flushScheduled = false
        let results = batch
        batch = []
        guard !results.isEmpty, failure.current == nil else { return }
        let columns = coordinator.columns
        do {
            let accepted = try coordinator.record(results.map {
                (trial: $0.trial.number, metric: columns.metricValue($0), row: String(csvLine(columns.fields($0)).dropLast()))
            })
            let (done, total) = coordinator.counts
            for (result, ok) in zip(results, accepted) {
                guard ok else {
                    coordinator.warn("trial \(result.trial.number): its lease passed to another process; this late result is dropped")
                    continue
                }
                checkpoints.remove(result.trial.number)
                report(result, done, total)
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
