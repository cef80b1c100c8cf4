import NNSearchKernel
/// One event of a search, as the journal records it.
///
/// The journal is the search's single truth: replaying its records in order gives the search's
/// state (`SearchState`); `trials.csv`, `leaderboard.csv` and `progress.json` are views of it.
/// A record's payload is one line of tab-separated fields, the kind first; text fields are
/// escaped (`\t`, `\n`, `\r`, `\\`, `\0`) so a record never holds a raw tab, newline or NUL.
package enum JournalRecord: Equatable, Sendable {
    /// A worker process joined: who it is, where its pid means something (boot and pid namespace),
    /// how many threads it runs, how long its leases last.
    case join(process: String, host: String, pidSpace: String, pid: Int32, threads: Int, lease: Double, time: Double)
    /// A process's heartbeat: renews the leases of every trial it holds; `epochs` says how far each got.
    case beat(process: String, time: Double, epochs: [TrialEpoch])
    /// A process left: `reason` is `done`, `stopped`, `signal`, `time limit` or `failed: …`.
    case leave(process: String, time: Double, reason: String)
    /// A process claimed trial `trial`, to train it up to epoch `upTo`.
    case claim(trial: Int, process: String, upTo: Int, time: Double)
    /// A process gave a trial back with its checkpoint at `epoch` (graceful stop, time limit).
    case release(trial: Int, process: String, epoch: Int, time: Double)
    /// A process finished a trial: its metric value (NaN when diverged) and its CSV row, without newline.
    case finish(trial: Int, process: String, time: Double, metric: Double, row: String)
    /// A process trained a trial to a rung (`epoch`) and paused it there (pruning): its metric at
    /// that epoch, its training seconds so far (every segment), and the CSV row it gets if the rung
    /// prunes it (status `pruned`), without newline.
    case reached(trial: Int, process: String, epoch: Int, time: Double, metric: Double, seconds: Double, row: String)
    /// A stop of the whole search was requested (`nnsearch stop`); workers on every host leave.
    case stop(by: String, time: Double)
    /// A stopped search was resumed (`nnsearch resume`): the stop no longer holds.
    case resume(by: String, time: Double)

    /// A trial in hand and the epochs it finished, as a heartbeat reports it.
    package struct TrialEpoch: Equatable, Sendable {
        package var trial: Int
        package var epoch: Int
        package var epochs: Int
        /// The search's metric after its latest epoch (nil before the first, or from an older writer).
        package var metric: Double? = nil
    }

    /// The record's kind, the first field of its payload.
    package var kind: String {
        switch self {
        case .join: "join"
        case .beat: "beat"
        case .leave: "leave"
        case .claim: "claim"
        case .release: "release"
        case .finish: "finish"
        case .reached: "reached"
        case .stop: "stop"
        case .resume: "resume"
        }
    }

    // MARK: - Payload text

    /// The payload: tab-separated fields, kind first.
    package var payload: String {
        let fields: [String]
        switch self {
        case let .join(process, host, pidSpace, pid, threads, lease, time):
            fields = [escape(process), escape(host), escape(pidSpace), String(pid), String(threads), formatNumber(lease), Self.time(time)]
        case let .beat(process, time, epochs):
            fields = [escape(process), Self.time(time),
                      epochs.map { "\($0.trial):\($0.epoch)/\($0.epochs)" + ($0.metric.map { "@" + formatNumber($0) } ?? "") }.joined(separator: ",")]
        case let .leave(process, time, reason):
            fields = [escape(process), Self.time(time), escape(reason)]
        case let .claim(trial, process, upTo, time):
            fields = [String(trial), escape(process), String(upTo), Self.time(time)]
        case let .release(trial, process, epoch, time):
            fields = [String(trial), escape(process), String(epoch), Self.time(time)]
        case let .finish(trial, process, time, metric, row):
            fields = [String(trial), escape(process), Self.time(time), formatNumber(metric), escape(row)]
        case let .reached(trial, process, epoch, time, metric, seconds, row):
            fields = [String(trial), escape(process), String(epoch), Self.time(time), formatNumber(metric), formatNumber(seconds), escape(row)]
        case let .stop(by, time), let .resume(by, time):
            fields = [escape(by), Self.time(time)]
        }
        return ([kind] + fields).joined(separator: "\t")
    }

    /// Why a payload could not be read as a record.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package var description: String
    }

    /// Parses a payload written by `payload`; every field is checked (types, ranges).
    package init(payload: Substring) throws {
        // Split on the UTF-8 bytes: splitting a String by Characters is many times slower.
        let fields = payload.utf8.split(separator: 9, omittingEmptySubsequences: false)
        guard let first = fields.first else { throw ParseError(description: "an empty record") }
        let kind = String(Substring(first))
        func expect(_ count: Int) throws {
            guard fields.count == count + 1 else {
                throw ParseError(description: "a \(kind) record has \(fields.count - 1) fields, expected \(count)")
            }
        }
        func field(_ i: Int) -> Substring { Substring(fields[i]) }
        func int(_ i: Int, _ what: String) throws -> Int {
            var n = 0
            let bytes = fields[i]
            guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw ParseError(description: "\(kind): \(what) \"\(field(i))\" is not a non-negative integer")
            }
            for b in bytes { n = n * 10 + Int(b - 0x30) }
            return n
        }
        func number(_ i: Int, _ what: String, finite: Bool = true) throws -> Double {
            let text = field(i)
            let x: Double? = text == "nan" ? .nan : text == "inf" ? .infinity : text == "-inf" ? -.infinity : Double(text)
            guard let x, !finite || x.isFinite, !text.isEmpty, !text.hasPrefix(" ") else {
                throw ParseError(description: "\(kind): \(what) \"\(text)\" is not a number")
            }
            return x
        }
        func text(_ i: Int) throws -> String {
            guard let s = unescape(field(i)) else { throw ParseError(description: "\(kind): a badly escaped field") }
            return s
        }
        switch kind {
        case "join":
            try expect(7)
            let pid = try int(4, "pid")
            guard pid <= Int(Int32.max), pid > 0 else { throw ParseError(description: "join: pid \(pid) out of range") }
            let lease = try number(6, "lease")
            guard lease > 0 else { throw ParseError(description: "join: lease \(lease) is not positive") }
            self = .join(process: try text(1), host: try text(2), pidSpace: try text(3), pid: Int32(pid), threads: try int(5, "threads"),
                         lease: lease, time: try number(7, "time"))
        case "beat":
            try expect(3)
            var epochs = [TrialEpoch]()
            for item in field(3).split(separator: ",") {
                // TRIAL:EPOCH/EPOCHS, then @METRIC when the trial has one.
                let at = item.split(separator: "@", omittingEmptySubsequences: false)
                let parts = at[0].split(separator: ":")
                let counts = parts.count == 2 ? parts[1].split(separator: "/") : []
                let metric = at.count == 2 ? Double(at[1]) : nil
                guard at.count <= 2, at.count == 1 || metric != nil,
                      parts.count == 2, counts.count == 2, let t = Int(parts[0]), let e = Int(counts[0]), let n = Int(counts[1]),
                      t >= 0, e >= 0, n >= 0 else {
                    throw ParseError(description: "beat: \"\(item)\" is not TRIAL:EPOCH/EPOCHS[@METRIC]")
                }
                epochs.append(TrialEpoch(trial: t, epoch: e, epochs: n, metric: metric))
            }
            self = .beat(process: try text(1), time: try number(2, "time"), epochs: epochs)
        case "leave":
            try expect(3)
            self = .leave(process: try text(1), time: try number(2, "time"), reason: try text(3))
        case "claim":
            try expect(4)
            self = .claim(trial: try int(1, "trial"), process: try text(2), upTo: try int(3, "epoch"), time: try number(4, "time"))
        case "release":
            try expect(4)
            self = .release(trial: try int(1, "trial"), process: try text(2), epoch: try int(3, "epoch"), time: try number(4, "time"))
        case "finish":
            try expect(5)
            self = .finish(trial: try int(1, "trial"), process: try text(2), time: try number(3, "time"),
                           metric: try number(4, "metric", finite: false), row: try text(5))
        case "reached":
            try expect(7)
            let seconds = try number(6, "seconds")
            guard seconds >= 0 else { throw ParseError(description: "reached: seconds \(seconds) is negative") }
            self = .reached(trial: try int(1, "trial"), process: try text(2), epoch: try int(3, "epoch"), time: try number(4, "time"),
                            metric: try number(5, "metric", finite: false), seconds: seconds, row: try text(7))
        case "stop":
            try expect(2)
            self = .stop(by: try text(1), time: try number(2, "time"))
        case "resume":
            try expect(2)
            self = .resume(by: try text(1), time: try number(2, "time"))
        default:
            throw ParseError(description: "unknown record kind \"\(kind.prefix(40))\"")
        }
    }

    /// Unix time with millisecond precision.
    private static func time(_ t: Double) -> String { String(format: "%.3f", t) }
}

/// `s` with tab, newline, carriage return, NUL and backslash escaped.
private func escape(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 0 || $0 == 92 }) else { return s }
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\0": out += "\\0"
        case "\\": out += "\\\\"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// The inverse of `escape`; nil for a dangling or unknown escape.
private func unescape(_ s: Substring) -> String? {
    guard s.utf8.contains(92) else { return String(s) }
    var out = ""
    var escaping = false
    for c in s.unicodeScalars {
        if escaping {
            switch c {
            case "t": out += "\t"
            case "n": out += "\n"
            case "r": out += "\r"
            case "0": out += "\0"
            case "\\": out += "\\"
            default: return nil
            }
            escaping = false
        } else if c == "\\" {
            escaping = true
        } else {
            out.unicodeScalars.append(c)
        }
    }
    return escaping ? nil : out
}
