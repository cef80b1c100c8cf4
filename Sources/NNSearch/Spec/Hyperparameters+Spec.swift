import Foundation
import NNSearchKernel

// The string-keyed side of `Hyperparameters`, which the kernel does not know: names, domains,
// reading values from specs and `--set`, writing them to CSV.

// MARK: - Names and domains

/// The set of values one hyperparameter accepts, used to validate specs and `--set`.
enum HyperparameterDomain {
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
}

extension Hyperparameters {
    /// Every hyperparameter name a spec's `space` or `--set` may use, in canonical order.
    static let names = [
        "depth", "width", "lr", "optimizer", "momentum", "nesterov", "weight_decay",
        "schedule", "batch_size", "epochs", "activation", "normalize", "dropout",
    ]

    /// The values a hyperparameter accepts.
    static func domain(of name: String) -> HyperparameterDomain? {
        switch name {
        case "depth": .integer(0...64)
        case "width": .integer(1...16384)
        case "lr": .real(lower: 0, upper: 100, lowerOpen: true)
        case "optimizer": .names(OptimizerKind.allCases.map(\.rawValue))
        case "momentum": .real(lower: 0, upper: 0.999999, lowerOpen: false)
        case "nesterov": .boolean
        case "weight_decay": .real(lower: 0, upper: 10, lowerOpen: false)
        case "schedule": .schedule
        case "batch_size": .integer(1...1_000_000)
        case "epochs": .integer(1...1_000_000)
        case "activation": .names(Activation.allCases.map(\.rawValue))
        case "normalize": .names(Normalization.allCases.map(\.rawValue))
        case "dropout": .real(lower: 0, upper: 0.95, lowerOpen: false)
        default: nil
        }
    }

    /// Sets one hyperparameter from a JSON value, or explains why the value is not allowed.
    ///
    /// `path` names the value in messages (`space.lr[2]`, `--set lr`).
    mutating func set(_ name: String, _ value: JSONValue, path: String) throws {
        guard let domain = Hyperparameters.domain(of: name) else {
            throw NNSearchError.usage("\(path): unknown hyperparameter \"\(name)\"" + didYouMean(name, Hyperparameters.names)
                + "; known: " + Hyperparameters.names.joined(separator: ", "))
        }
        func bad() -> NNSearchError {
            .usage("\(path): \(value.echoed) is not allowed for \(name); expected \(domain.allowed)")
        }
        switch domain {
        case .integer(let range):
            guard case .number(let x, _) = value, x.rounded() == x, x >= Double(range.lowerBound),
                  x <= Double(range.upperBound) else { throw bad() }
            let n = Int(x)
            switch name {
            case "depth": depth = n
            case "width": width = n
            case "batch_size": batchSize = n
            default: epochs = n
            }
        case .real(let lo, let hi, let open):
            guard case .number(let x, _) = value, x.isFinite, open ? x > lo : x >= lo, x <= hi else { throw bad() }
            switch name {
            case "lr": lr = x
            case "momentum": momentum = x
            case "weight_decay": weightDecay = x
            default: dropout = x
            }
        case .names(let names):
            guard case .string(let s) = value else { throw bad() }
            guard names.contains(s) else {
                throw NNSearchError.usage("\(path): \(JSONValue.echo(s)) is not allowed for \(name); expected \(domain.allowed)"
                    + didYouMean(s, names))
            }
            switch name {
            case "optimizer": optimizer = OptimizerKind(rawValue: s)!
            case "activation": activation = Activation(rawValue: s)!
            default: normalize = Normalization(rawValue: s)!
            }
        case .boolean:
            guard case .bool(let b) = value else { throw bad() }
            nesterov = b
        case .schedule:
            schedule = try Hyperparameters.parseSchedule(value, path: path)
        }
    }

    /// Parses `"constant"`, `"cosine"`, `"step:N:G"` or `{"step": N, "gamma": G}`.
    static func parseSchedule(_ value: JSONValue, path: String) throws -> Schedule {
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

    /// The value of a hyperparameter as written in CSV files (`step:10:0.5`, `0.001`, `adam`).
    func csvValue(of name: String) -> String {
        switch name {
        case "depth": String(depth)
        case "width": String(width)
        case "lr": formatNumber(lr)
        case "optimizer": optimizer.rawValue
        case "momentum": formatNumber(momentum)
        case "nesterov": nesterov ? "true" : "false"
        case "weight_decay": formatNumber(effectiveWeightDecay)
        case "schedule": schedule.description
        case "batch_size": String(batchSize)
        case "epochs": String(epochs)
        case "activation": activation.rawValue
        case "normalize": normalize.rawValue
        case "dropout": formatNumber(dropout)
        default: ""
        }
    }
}
