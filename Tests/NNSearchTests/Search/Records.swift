@testable import NNSearch
@testable import NNSearchKernel

/// Journal records built by hand for replay tests, with the fields a test does not care about fixed.
enum Records {
    static func join(_ process: String, at time: Double, lease: Double = 10) -> JournalRecord {
        .join(process: process, host: "host", pidSpace: "space", pid: 4242, threads: 1, lease: lease, time: time)
    }

    static func beat(_ process: String, at time: Double, _ epochs: [(trial: Int, epoch: Int)] = []) -> JournalRecord {
        .beat(process: process, time: time, epochs: epochs.map { .init(trial: $0.trial, epoch: $0.epoch, epochs: 20) })
    }

    static func leave(_ process: String, at time: Double, reason: String = "done") -> JournalRecord {
        .leave(process: process, time: time, reason: reason)
    }

    static func claim(_ trial: Int, by process: String, at time: Double, upTo: Int = 20) -> JournalRecord {
        .claim(trial: trial, process: process, upTo: upTo, time: time)
    }

    static func release(_ trial: Int, by process: String, at time: Double, epoch: Int = 0) -> JournalRecord {
        .release(trial: trial, process: process, epoch: epoch, time: time)
    }

    /// A finish whose row is the trial's own (`TRIAL,…`) unless `row` says otherwise.
    static func finish(_ trial: Int, by process: String, at time: Double, metric: Double = 0.5, row: String? = nil) -> JournalRecord {
        .finish(trial: trial, process: process, time: time, metric: metric, row: row ?? "\(trial),relu,0.01")
    }

    /// A pause of `trial` at a rung (`epoch`) with its metric there; its row is the trial's own, status `pruned`.
    static func reached(_ trial: Int, by process: String, at time: Double, epoch: Int, metric: Double) -> JournalRecord {
        .reached(trial: trial, process: process, epoch: epoch, time: time, metric: metric, seconds: 0.5, row: "\(trial),pruned,\(epoch)")
    }

    /// The state after applying `records` in order, the i-th at byte offset `100 * i`.
    static func replay(trialCount: Int, _ records: [JournalRecord]) -> SearchState {
        var state = SearchState(trialCount: trialCount)
        for (i, record) in records.enumerated() { state.apply(record, at: 100 * i) }
        return state
    }
}
