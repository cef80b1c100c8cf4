import Foundation

/// A hyperparameter as importance analysis sees it: a name and the box side it is uniform over.
package struct ImportanceDimension: Sendable, Equatable {
    package var name: String
    package var kind: Kind

    /// The values a dimension takes, and the measure its importance is computed under.
    package enum Kind: Sendable, Equatable {
        /// Codes 0..<count, each equally likely.
        case categorical(count: Int)
        /// `low...high`, uniform in the value or, with `log`, in its logarithm (as `lr` is searched).
        case continuous(low: Double, high: Double, log: Bool)
    }

    package init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The box side in working space (the log of the bounds for a log dimension); nil when it holds
    /// at most one value (one category, `low == high`, or bounds that are not finite and positive
    /// where they must be), so nothing can vary along it.
    var domain: TreeVariance.Domain? {
        switch kind {
        case let .categorical(count):
            return count >= 2 ? .categories(count: count) : nil
        case let .continuous(low, high, log):
            guard low.isFinite, high.isFinite, low < high, (high - low).isFinite else { return nil }
            guard log else { return .interval(low: low, high: high) }
            guard low > 0 else { return nil }
            return .interval(low: Foundation.log(low), high: Foundation.log(high))
        }
    }

    /// `value` in working space, clamped into `domain`; nil when it is not a value of the
    /// dimension at all (not finite, not a code, not positive on a log scale).
    func working(_ value: Double, in domain: TreeVariance.Domain) -> Double? {
        guard value.isFinite else { return nil }
        switch (kind, domain) {
        case let (.categorical(count), _):
            return value >= 0 && value < Double(count) && value == value.rounded() ? value : nil
        case let (.continuous(_, _, log), .interval(low, high)):
            if log && value <= 0 { return nil }
            return min(max(log ? Foundation.log(value) : value, low), high)
        default:
            preconditionFailure("a continuous dimension has an interval domain")
        }
    }
}
