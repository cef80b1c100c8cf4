import Foundation
import NNSearchKernel

/// The scheduler's state as written to `progress.json` for `status` and `list`.
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
    }

    /// Estimated seconds left at the rate so far (nil before the first trial finished).
    func eta(doneThisRun: Int, secondsThisRun: Double) -> Double? {
        guard doneThisRun > 0, done < total else { return done >= total ? 0 : nil }
        return secondsThisRun / Double(doneThisRun) * Double(total - done)
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

    /// Reads a progress file; nil when missing or unreadable.
    package static func read(_ path: String) -> Progress? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let json = try? parseJSON(text, file: path) else { return nil }
        func int(_ key: String) -> Int? { if case .number(let x, _)? = json[key] { return Int(exactly: x.rounded()) }; return nil }
        func double(_ key: String) -> Double? { if case .number(let x, _)? = json[key] { return x }; return nil }
        func string(_ key: String) -> String? { if case .string(let s)? = json[key] { return s }; return nil }
        guard let state = string("state"), let done = int("done"), let total = int("total") else { return nil }
        var running = [RunningTrial]()
        if case .array(let items)? = json["running"] {
            for item in items {
                if case .number(let t, _)? = item["trial"], case .number(let e, _)? = item["epoch"],
                   case .number(let n, _)? = item["epochs"] {
                    running.append(RunningTrial(trial: Int(t), epoch: Int(e), epochs: Int(n)))
                }
            }
        }
        return Progress(state: state, pid: Int32(int("pid") ?? 0), done: done, total: total, running: running,
                        metric: string("metric") ?? "", bestTrial: int("best_trial"), bestValue: double("best_value"),
                        elapsed: double("elapsed") ?? 0, updated: string("updated") ?? "", message: string("message"))
    }
}

/// The current time as ISO 8601 UTC, to the second.
func isoNow() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
}
