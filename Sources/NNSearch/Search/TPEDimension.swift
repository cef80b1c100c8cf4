import Foundation
import NNSearchKernel

/// One searched dimension as `TPESampler` sees it (fixed values are not dimensions).
///
/// A point holds one `Double` per dimension: a category's index, a real value, or a whole number.
package enum TPEDimension: Sendable, Equatable {
    /// Indices `0 ..< count`, unordered.
    case categorical(count: Int)
    /// A value in `low ... high`; with `log`, densities live in `log` space (then `low > 0`).
    case real(low: Double, high: Double, log: Bool)
    /// A whole number in `low ... high`.
    case integer(low: Int, high: Int)

    /// Whether the dimension holds exactly one value, so suggesting it needs no randomness.
    var isFixed: Bool {
        switch self {
        case let .categorical(count): return count == 1
        case let .real(low, high, log): return low == high || (log && Foundation.log(low) == Foundation.log(high))
        case let .integer(low, high): return low == high
        }
    }

    /// Whether values are whole numbers on an ordered scale (an `int_uniform` range).
    var isWhole: Bool {
        if case .integer = self { return true }
        return false
    }

    /// The dimension's least value (category 0).
    var lowest: Double {
        switch self {
        case .categorical: return 0
        case let .real(low, _, _): return low
        case let .integer(low, _): return Double(low)
        }
    }

    /// Traps on a dimension no point can take a value in (no category, `low > high`, bounds not
    /// finite, a log scale that does not start above 0).
    func validate() {
        switch self {
        case let .categorical(count):
            precondition(count >= 1, "a categorical dimension has at least one category")
        case let .real(low, high, log):
            precondition(low.isFinite && high.isFinite && low <= high, "a real dimension needs finite low <= high")
            precondition(!log || low > 0, "a log dimension needs low > 0")
        case let .integer(low, high):
            precondition(low <= high, "an integer dimension needs low <= high")
        }
    }

    /// The interval the dimension's Parzen estimator works in: the log of the bounds on a log
    /// scale, and for whole numbers the bounds widened by half a unit, so each number owns a cell
    /// of width 1. Nil for a categorical dimension.
    var workingBounds: (low: Double, high: Double)? {
        switch self {
        case .categorical: return nil
        case let .real(low, high, log): return log ? (Foundation.log(low), Foundation.log(high)) : (low, high)
        case let .integer(low, high): return (Double(low) - 0.5, Double(high) + 0.5)
        }
    }

    /// A point's value as the estimator sees it: clamped into the dimension, then on the working
    /// scale (a log, for a log dimension); a category as its index rounded and clamped. Nil when
    /// it is not finite, so the observation says nothing about this dimension.
    func working(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch self {
        case let .categorical(count):
            return min(max(value.rounded(), 0), Double(count - 1))
        case let .real(low, high, log):
            let clamped = min(max(value, low), high)
            return log ? Foundation.log(clamped) : clamped
        case let .integer(low, high):
            return min(max(value.rounded(), Double(low)), Double(high))
        }
    }

    /// A working-scale value back in the dimension: exponentiated on a log scale, rounded to a
    /// whole number where one is due, and clamped inside the bounds either way.
    func value(fromWorking working: Double) -> Double {
        switch self {
        case let .categorical(count):
            return min(max(working.rounded(), 0), Double(count - 1))
        case let .real(low, high, log):
            return min(max(log ? exp(working) : working, low), high)
        case let .integer(low, high):
            return min(max(working.rounded(), Double(low)), Double(high))
        }
    }

    /// A draw from the dimension's prior: uniform over the categories or the whole numbers, and
    /// over the interval on its own scale (log-uniform for a log dimension). A fixed dimension
    /// returns its one value and draws nothing.
    func drawUniform(_ random: inout Random) -> Double {
        if isFixed { return lowest }
        switch self {
        case let .categorical(count):
            return Double(random.next(below: count))
        case .real:
            let (low, high) = workingBounds!
            return value(fromWorking: low + (high - low) * random.nextDouble())
        case let .integer(low, high):
            return Double(low + random.next(below: high - low + 1))
        }
    }
}
