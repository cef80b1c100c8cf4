import Foundation
import NNSearchKernel

/// A one-dimensional Parzen estimator: a weighted mixture of Gaussians, each truncated to
/// `low ... high`, one centred at each observation and a wide one (the prior) at the middle.
///
/// Bandwidths follow the neighbour rule of Bergstra et al. (2011) as Optuna's univariate TPE
/// applied it up to version 4 (version 5 leaves the prior's centre out and lets the bounds
/// neighbour a lone observation; measured on `bench --samplers`, no better): with the prior's
/// centre among the centres, sorted (equal centres by position), a
/// centre's bandwidth is the larger of its gaps to its two neighbours — the outermost two have
/// one inner gap, the bounds are not neighbours — clipped to `[range / min(100, 1 + m), range]`
/// for m components. The prior's bandwidth is the whole range.
///
/// Components that sort next to each other with the same centre and bandwidth — repeated whole
/// numbers give many — are kept as one with their summed weight: the same mixture, fewer terms.
struct ParzenEstimator: Sendable {
    let low: Double
    let high: Double
    /// Component centres, ascending (equal centres by the position of their first observation,
    /// the prior's after the observations').
    let centres: [Double]
    let sigmas: [Double]
    /// log(wₖ / (W Zₖ)): the component's share of the total weight W, over its mass Zₖ inside the bounds.
    private let logScales: [Double]
    /// `logScales` less log(σₖ √(2π)): the log of the component's density at its centre.
    private let logPeaks: [Double]
    /// Running sums of the component weights, in component order, for drawing one.
    private let cumulativeWeights: [Double]

    /// An estimator over `low ... high` (`low < high`) with a component at each of `values`
    /// (inside the bounds) of the matching weight, and the prior's of `priorWeight` (> 0).
    init(values: [Double], weights: [Double], low: Double, high: Double, priorWeight: Double) {
        precondition(low < high, "a Parzen estimator needs an interval")
        precondition(values.count == weights.count, "one weight per value")
        precondition(priorWeight > 0, "the prior keeps every density positive")
        self.low = low
        self.high = high
        let range = high - low
        let allCentres = values + [0.5 * (low + high)]
        let allWeights = weights + [priorWeight]
        let order = Self.ascending(allCentres)
        var allSigmas = Self.bandwidths(allCentres, order: order, low: low, high: high)
        allSigmas[allSigmas.count - 1] = range

        var centres = [Double](), sigmas = [Double](), componentWeights = [Double]()
        for k in order {
            if centres.last == allCentres[k] && sigmas.last == allSigmas[k] {
                componentWeights[componentWeights.count - 1] += allWeights[k]
            } else {
                centres.append(allCentres[k])
                sigmas.append(allSigmas[k])
                componentWeights.append(allWeights[k])
            }
        }
        var running = 0.0
        let cumulative = componentWeights.map { running += $0; return running }
        let logTotal = log(running)
        let logRootTwoPi = 0.5 * log(2 * Double.pi)
        var logScales = [Double](), logPeaks = [Double]()
        logScales.reserveCapacity(centres.count)
        logPeaks.reserveCapacity(centres.count)
        for k in centres.indices {
            let inside = Self.normalMass((low - centres[k]) / sigmas[k], (high - centres[k]) / sigmas[k])
            let scale = log(componentWeights[k]) - logTotal - log(inside)
            logScales.append(scale)
            logPeaks.append(scale - log(sigmas[k]) - logRootTwoPi)
        }
        self.centres = centres
        self.sigmas = sigmas
        self.logScales = logScales
        self.logPeaks = logPeaks
        self.cumulativeWeights = cumulative
    }

    /// The indices of `centres` by ascending centre, equal ones by index.
    private static func ascending(_ centres: [Double]) -> [Int] {
        centres.indices.sorted { (centres[$0], $0) < (centres[$1], $1) }
    }

    /// The neighbour-rule bandwidths of `centres` in `low ... high` (see the type's summary), in
    /// the order given, before the prior's is set to the range.
    static func bandwidths(_ centres: [Double], low: Double, high: Double) -> [Double] {
        bandwidths(centres, order: ascending(centres), low: low, high: high)
    }

    private static func bandwidths(_ centres: [Double], order: [Int], low: Double, high: Double) -> [Double] {
        let range = high - low
        var sigmas = [Double](repeating: range, count: centres.count)
        guard centres.count > 1 else { return sigmas }
        let smallest = range / min(100, Double(1 + centres.count))
        for p in order.indices {
            let left = p > 0 ? centres[order[p]] - centres[order[p - 1]] : 0
            let right = p + 1 < order.count ? centres[order[p + 1]] - centres[order[p]] : 0
            sigmas[order[p]] = min(max(left, right, smallest), range)
        }
        return sigmas
    }

    /// A draw: a component by weight, then its Gaussian until a value lands inside the bounds
    /// (each try succeeds with probability above 1/3, since every centre is inside and no
    /// bandwidth exceeds the range; after 64 misses, the centre).
    func draw(_ random: inout Random) -> Double {
        let u = random.nextDouble() * cumulativeWeights[cumulativeWeights.count - 1]
        let k = cumulativeWeights.firstIndex { u < $0 } ?? cumulativeWeights.count - 1
        return Self.drawTruncated(centre: centres[k], sigma: sigmas[k], low: low, high: high, &random)
    }

    /// A Gaussian draw about `centre` (inside the bounds) until one lands in `low ... high`; after
    /// 64 misses, the centre.
    static func drawTruncated(centre: Double, sigma: Double, low: Double, high: Double, _ random: inout Random) -> Double {
        for _ in 0..<64 {
            let x = centre + sigma * random.nextNormal()
            if x >= low && x <= high { return x }
        }
        return centre
    }

    /// log of the density at `x` (inside the bounds), summed over the components in order.
    func logDensity(at x: Double) -> Double {
        centres.withUnsafeBufferPointer { centres in
            sigmas.withUnsafeBufferPointer { sigmas in
                logPeaks.withUnsafeBufferPointer { logPeaks in
                    Self.logSumExp(count: centres.count) { k in
                        let z = (x - centres[k]) / sigmas[k]
                        return logPeaks[k] - 0.5 * z * z
                    }
                }
            }
        }
    }

    /// log of the probability of `a ... b` (inside the bounds, `a <= b`), summed over the components in order.
    func logMass(from a: Double, to b: Double) -> Double {
        var terms = [Double](repeating: 0, count: centres.count)
        terms.withUnsafeMutableBufferPointer { terms in
            centres.withUnsafeBufferPointer { centres in
                sigmas.withUnsafeBufferPointer { sigmas in
                    logScales.withUnsafeBufferPointer { logScales in
                        for k in 0..<terms.count {
                            let mass = Self.normalMass((a - centres[k]) / sigmas[k], (b - centres[k]) / sigmas[k])
                            terms[k] = mass > 0 ? logScales[k] + log(mass) : -Double.infinity
                        }
                    }
                }
            }
        }
        return terms.withUnsafeBufferPointer { terms in Self.logSumExp(count: terms.count) { terms[$0] } }
    }

    /// log Σₖ exp(term(k)) over `0 ..< count` in order, scaled by the largest term so nothing
    /// overflows; −∞ when every term is.
    ///
    /// Terms more than 40 below the largest are left out: each is under e⁻⁴⁰ ≈ 4.2e-18 of the sum,
    /// so together they move it by less than count × 4.2e-18 relative, and the far components of
    /// a wide mixture cost no `exp` (whose underflow path is about four times slower).
    @inline(__always)
    static func logSumExp(count: Int, _ term: (Int) -> Double) -> Double {
        var largest = -Double.infinity
        for k in 0..<count {
            let t = term(k)
            if t > largest { largest = t }
        }
        guard largest > -Double.infinity else { return largest }
        var sum = 0.0
        for k in 0..<count {
            let t = term(k) - largest
            if t > -40 { sum += exp(t) }
        }
        return largest + log(sum)
    }

    /// Φ(b) − Φ(a) for a standard normal and `a <= b`, from the tails (`erfc`) so that an
    /// interval far out keeps its digits — down to 2e-37, below which it is 0.
    ///
    /// That floor costs nothing that matters here: every cell's mass has the prior's share in it,
    /// at least 0.2 / ((cells) × (observations + 1)), which is some 25 orders of magnitude more.
    static func normalMass(_ a: Double, _ b: Double) -> Double {
        let s = 1 / 2.0.squareRoot()
        let mass: Double
        if a >= 0 {
            mass = 0.5 * (tail(a * s) - tail(b * s))
        } else if b <= 0 {
            mass = 0.5 * (tail(-b * s) - tail(-a * s))
        } else {
            mass = 1 - 0.5 * (tail(-a * s) + tail(b * s))
        }
        return max(mass, 0)
    }

    /// erfc(x), taken as 0 from x = 9 on (erfc(9) ≈ 4.1e-37), which spares the far components of
    /// a wide mixture their `erfc` (and its slow underflow path from x ≈ 26).
    @inline(__always)
    private static func tail(_ x: Double) -> Double {
        x >= 9 ? 0 : erfc(x)
    }
}
