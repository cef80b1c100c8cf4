import Foundation
import NNSearchKernel

/// A summary of a search as `progress.json` holds it, for other tools (`status` reads the journal).
package struct Progress: Equatable, Sendable {
    /// `running`, `finished`, `stopped`, `time limit` or `failed`.
    package var state: String
    var pid: Int32
    package var done: Int
    package var total: Int
    /// Trials in flight with the epochs they finished.
    package var running: [RunningTrial] = []
    package var metric: String
    package var bestTrial: Int? = nil
    package var bestValue: Double? = nil
    /// Seconds the search has run, over all its runs.
    package var elapsed: Double
    /// When this was written (ISO 8601 UTC).
    var updated: String = isoNow()
    /// Why the search failed, when it did.
    package var message: String? = nil

    package struct RunningTrial: Equatable, Sendable {
        package var trial: Int
        package var epoch: Int
        package var epochs: Int
        /// The metric after its latest epoch, as the last heartbeat reported it.
        package var metric: Double? = nil
    }

    func json() -> Data {
        var members: [JSONMember] = [
            .init(key: "state", value: .string(state)),
            .init(key: "pid", value: number(Double(pid))),
            .init(key: "done", value: number(Double(done))),
            .init(key: "total", value: number(Double(total))),
            .init(key: "running", value: .array(running.map {
                .object([.init(key: "trial", value: number(Double($0.trial))),
                         .init(key: "epoch", value: number(Double($0.epoch))),
                         .init(key: "epochs", value: number(Double($0.epochs)))])
            })),
            .init(key: "metric", value: .string(metric)),
            .init(key: "elapsed", value: number((elapsed * 1000).rounded() / 1000)),
            .init(key: "updated", value: .string(updated)),
        ]
        if let bestTrial, let bestValue {
            members.append(.init(key: "best_trial", value: number(Double(bestTrial))))
            members.append(.init(key: "best_value", value: number(bestValue)))
        }
        if let message { members.append(.init(key: "message", value: .string(message))) }
        return Data((JSONValue.object(members).prettyText() + "\n").utf8)
    }

    private func number(_ x: Double) -> JSONValue { .number(x, text: formatNumber(x)) }
}

/// The current time as ISO 8601 UTC, to the second.
func isoNow() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
}
