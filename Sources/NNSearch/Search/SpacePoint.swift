import Foundation
import NNSearchKernel

/// A point of a search space encoded as numbers, one coordinate per space entry: the index of a
/// choice, the real number of a range, the integer of an integer range (as a Double); nil for a
/// fixed entry. Random search draws points; TPE models and suggests them.
enum SpacePoint {
    /// One random coordinate for an entry (a fixed entry draws nothing).
    ///
    /// The draws are those random search has always made: a choice by `next(below:)`, a uniform
    /// real as low + (high − low) × u, a log-uniform one as exp of that in log space, an integer
    /// as low + `next(below: high − low + 1)`.
    static func draw(_ entry: SpaceEntry, _ random: inout Random) -> Double? {
        switch entry {
        case .fixed:
            return nil
        case .choices(let values):
            return Double(random.next(below: values.count))
        case .uniform(let a, let b):
            return min(max(a + (b - a) * random.nextDouble(), a), b)
        case .logUniform(let a, let b):
            return min(max(exp(log(a) + (log(b) - log(a)) * random.nextDouble()), a), b)
        case .intUniform(let a, let b):
            return Double(a + random.next(below: b - a + 1))
        }
    }

    /// The value at a coordinate (kept inside the entry), or the fixed entry's value.
    static func value(_ entry: SpaceEntry, _ coordinate: Double?) -> HyperparameterValue? {
        switch entry {
        case .fixed(let value):
            return value
        case .choices(let values):
            guard let c = coordinate, !values.isEmpty else { return nil }
            return values[min(max(Int(c.rounded()), 0), values.count - 1)]
        case .uniform(let a, let b), .logUniform(let a, let b):
            guard let c = coordinate else { return nil }
            return .real(min(max(c, a), b))
        case .intUniform(let a, let b):
            guard let c = coordinate else { return nil }
            return .integer(min(max(Int(c.rounded()), a), b))
        }
    }
}
