import NNSearchKernel

/// The set of values one hyperparameter accepts, used to validate specs and `--set`.
package enum HyperparameterDomain: Sendable {
    case integer(ClosedRange<Int>)
    /// A real number in [lower, upper] (or (lower, upper] when `lowerOpen`).
    case real(lower: Double, upper: Double, lowerOpen: Bool)
    case names([String])
    case boolean
    case schedule

    /// What the domain allows, for error messages.
    var allowed: String {
        switch self {
        case .integer(let r): "an integer from \(r.lowerBound) to \(r.upperBound)"
        case .real(let lo, let hi, let open):
            "a number \(open ? ">" : ">=") \(formatNumber(lo))" + (hi.isFinite ? " and <= \(formatNumber(hi))" : "")
        case .names(let names): "one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        case .boolean: "true or false"
        case .schedule: "\"constant\", \"cosine\", {\"step\": N, \"gamma\": G} or \"step:N:G\""
        }
    }

    /// Validates a JSON value for hyperparameter `name`; `path` names it in messages (`space.lr[2]`, `--set lr`).
    func value(_ json: JSONValue, name: String, path: String) throws -> HyperparameterValue {
        func bad() -> NNSearchError {
            .usage("\(path): \(json.echoed) is not allowed for \(name); expected \(allowed)")
        }
        switch self {
        case .integer(let range):
            guard case .number(let x, _) = json, x.rounded() == x, x >= Double(range.lowerBound),
                  x <= Double(range.upperBound) else { throw bad() }
            return .integer(Int(x))
        case .real(let lo, let hi, let open):
            guard case .number(let x, _) = json, x.isFinite, open ? x > lo : x >= lo, x <= hi else { throw bad() }
            return .real(x)
        case .names(let names):
            guard case .string(let s) = json else { throw bad() }
            guard names.contains(s) else {
                throw NNSearchError.usage("\(path): \(JSONValue.echo(s)) is not allowed for \(name); expected \(allowed)"
                    + didYouMean(s, names))
            }
            return .name(s)
        case .boolean:
            guard case .bool(let b) = json else { throw bad() }
            return .boolean(b)
        case .schedule:
            return .schedule(try Schedule.parse(json, path: path))
        }
    }

    /// Whether a typed value belongs to the domain (values made by samplers are checked against it).
    func contains(_ value: HyperparameterValue) -> Bool {
        switch (self, value) {
        case (.integer(let range), .integer(let n)): range.contains(n)
        case (.real(let lo, let hi, let open), .real(let x)): x.isFinite && (open ? x > lo : x >= lo) && x <= hi
        case (.names(let names), .name(let s)): names.contains(s)
        case (.boolean, .boolean), (.schedule, .schedule): true
        default: false
        }
    }
}

extension Schedule {
    /// Parses `"constant"`, `"cosine"`, `"step:N:G"` or `{"step": N, "gamma": G}`.
    static func parse(_ value: JSONValue, path: String) throws -> Schedule {
        let allowed = HyperparameterDomain.schedule.allowed
        func check(_ every: Double, _ gamma: Double, _ where_: String) throws -> Schedule {
            guard every.rounded() == every, every >= 1, every <= 1e9 else {
                throw NNSearchError.usage("\(where_): step must be a whole number of epochs >= 1, got \(formatNumber(every))")
            }
            guard gamma.isFinite, gamma > 0, gamma <= 10 else {
                throw NNSearchError.usage("\(where_): gamma must be a number > 0 and <= 10, got \(formatNumber(gamma))")
            }
            return .step(every: Int(every), gamma: gamma)
        }
        switch value {
        case .string("constant"): return .constant
        case .string("cosine"): return .cosine
        case .string(let s) where s.hasPrefix("step:"):
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, let every = Double(parts[1]), let gamma = Double(parts[2]) else {
                throw NNSearchError.usage("\(path): \(JSONValue.echo(s)) is not a step schedule; write \"step:EPOCHS:GAMMA\", e.g. \"step:10:0.5\"")
            }
            return try check(every, gamma, path)
        case .string(let s):
            throw NNSearchError.usage("\(path): \(JSONValue.echo(s)) is not a schedule; expected \(allowed)"
                + didYouMean(s, ["constant", "cosine", "step"]))
        case .object(let members):
            for m in members where m.key != "step" && m.key != "gamma" {
                throw NNSearchError.usage("\(path).\(abbreviated(m.key)): unknown schedule key" + didYouMean(m.key, ["step", "gamma"])
                    + "; a step schedule is {\"step\": N, \"gamma\": G}")
            }
            guard case .number(let every, _)? = value["step"] else {
                throw NNSearchError.usage("\(path).step: expected a whole number of epochs, e.g. {\"step\": 10, \"gamma\": 0.5}")
            }
            guard case .number(let gamma, _)? = value["gamma"] else {
                throw NNSearchError.usage("\(path).gamma: expected a number, e.g. {\"step\": 10, \"gamma\": 0.5}")
            }
            return try check(every, gamma, path)
        default:
            throw NNSearchError.usage("\(path): \(value.echoed) is not a schedule; expected \(allowed)")
        }
    }
}
