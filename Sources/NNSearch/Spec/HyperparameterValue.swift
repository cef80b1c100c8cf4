import NNSearchKernel

/// One hyperparameter's value, typed by its domain: what a space entry holds once validated.
package enum HyperparameterValue: Sendable, Equatable {
    case integer(Int)
    case real(Double)
    /// One of a fixed set of names (`adam`, `relu`, `standardize`).
    case name(String)
    case boolean(Bool)
    case schedule(Schedule)

    /// The value as the CSV files write it: `3`, `0.001`, `adam`, `true`, `step:10:0.5`.
    package var csvText: String {
        switch self {
        case .integer(let n): String(n)
        case .real(let x): formatNumber(x)
        case .name(let s): s
        case .boolean(let b): b ? "true" : "false"
        case .schedule(let s): s.description
        }
    }

    /// The value as a spec writes it (a schedule in its compact string form, which specs accept).
    var json: JSONValue {
        switch self {
        case .integer(let n): .number(Double(n), text: String(n))
        case .real(let x): .number(x, text: formatNumber(x))
        case .name(let s): .string(s)
        case .boolean(let b): .bool(b)
        case .schedule(let s): .string(s.description)
        }
    }

    /// The number, for integer and real values.
    var number: Double? {
        switch self {
        case .integer(let n): Double(n)
        case .real(let x): x
        case .name, .boolean, .schedule: nil
        }
    }
}
