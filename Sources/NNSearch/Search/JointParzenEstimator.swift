import Foundation
import NNSearchKernel

/// A Parzen estimator over all dimensions at once: a weighted mixture of product kernels, one
/// centred at each observation and a wide one (the prior) over the whole space.
///
/// The joint form of multivariate TPE (Falkner, Klein & Hutter, "BOHB: Robust and Efficient
/// Hyperparameter Optimization at Scale", ICML 2018; Optuna's `multivariate=True`): a draw takes
/// one observation's kernel for every dimension together, so values that were good *together* —
/// one hidden layer with a large learning rate, several with a small one — stay together, where
/// independent estimators mix them.
///
/// Per dimension of an observation's kernel:
/// - reals and whole numbers (on the working scale: the log for a log range, cells of width 1 for
///   whole numbers): a Gaussian truncated to the bounds, centred at the value, with the bandwidth
///   `bandwidthFactor · m^(−1/(D + 4)) · range` for m observations in the group and D dimensions
///   (Scott's rule's rate, as Optuna's multivariate estimator), for whole numbers at least one unit,
///   so a kernel on a short range (depth 1–4) still reaches its neighbours; a whole number scores
///   its cell's mass;
/// - categories: the observed one with weight 1 plus `s = prior weight / m` spread evenly over the
///   K categories, normalized: p(k) = ([k = c] + s/K) / (1 + s).
///
/// The prior's kernel is uniform over categories and a Gaussian of the whole range's width at the
/// middle of each range (the independent estimators' prior).
struct JointParzenEstimator: Sendable {
    let dimensions: [TPEDimension]
    /// Each observation's working-scale point (a category as its index).
    let centres: [[Double]]
    /// Per dimension: the observations' bandwidth (one for all of them; 0 for a categorical one).
    let sigmas: [Double]
    /// log(wₖ / W) of each observation's kernel, then the prior's last.
    private let logShares: [Double]
    /// Per dimension: −log(Zₖ) for each observation's kernel (its mass inside the bounds), then the prior's.
    private let logInside: [[Double]]
    /// Per categorical dimension: log p of the observed category and of each other one.
    private let logHit: [Double], logMiss: [Double]
    /// The prior's centre and bandwidth per dimension (real or whole).
    private let priorCentres: [Double], priorSigmas: [Double]
    /// Categories are smoothed by this much (`s` above).
    let smoothing: Double
    /// Running sums of the kernel weights (observations, then the prior), for drawing one.
    private let cumulativeWeights: [Double]

    /// An estimator from `centres` (working-scale points, each inside the bounds) with their weights,
    /// the prior's `priorWeight` (> 0) and `bandwidthFactor` (> 0).
    init(dimensions: [TPEDimension], centres: [[Double]], weights: [Double], priorWeight: Double, bandwidthFactor: Double) {
        precondition(centres.count == weights.count, "one weight per point")
        precondition(priorWeight > 0 && bandwidthFactor > 0, "a positive prior and bandwidth")
        self.dimensions = dimensions
        self.centres = centres
        let m = Double(max(centres.count, 1))
        let searched = Double(dimensions.filter { !$0.isFixed }.count)
        let rate = bandwidthFactor * pow(m, -1 / (searched + 4))
        smoothing = priorWeight / m
        var sigmas = [Double](), priorCentres = [Double](), priorSigmas = [Double]()
        var logInside = [[Double]](), logHit = [Double](), logMiss = [Double]()
        for (d, dimension) in dimensions.enumerated() {
            if let (low, high) = dimension.workingBounds, high > low {
                let sigma = dimension.isWhole ? max(rate * (high - low), 1) : rate * (high - low)
                let middle = 0.5 * (low + high)
                sigmas.append(sigma)
                priorCentres.append(middle)
                priorSigmas.append(high - low)
                var inside = centres.map { -log(ParzenEstimator.normalMass((low - $0[d]) / sigma, (high - $0[d]) / sigma)) }
                inside.append(-log(ParzenEstimator.normalMass(-0.5, 0.5)))
                logInside.append(inside)
            } else {
                sigmas.append(0)
                priorCentres.append(0)
                priorSigmas.append(0)
                logInside.append([])
            }
            let count = Double(Self.categories(dimension))
            logHit.append(log((1 + smoothing / count) / (1 + smoothing)))
            logMiss.append(log((smoothing / count) / (1 + smoothing)))
        }
        self.sigmas = sigmas
        self.priorCentres = priorCentres
        self.priorSigmas = priorSigmas
        self.logInside = logInside
        self.logHit = logHit
        self.logMiss = logMiss
        var running = 0.0
        cumulativeWeights = (weights + [priorWeight]).map { running += $0; return running }
        let logTotal = log(running)
        logShares = (weights + [priorWeight]).map { log($0) - logTotal }
    }

    /// The number of categories of a categorical dimension (1 for any other).
    private static func categories(_ dimension: TPEDimension) -> Int {
        if case let .categorical(count) = dimension { return count }
        return 1
    }

    /// A working-scale draw: a kernel by weight, then every dimension from it (a Gaussian until the
    /// value lands inside the bounds, after 64 misses the centre; a whole number rounded to its
    /// cell); a fixed dimension gives its one value and draws nothing.
    func draw(_ random: inout Random) -> [Double] {
        let u = random.nextDouble() * cumulativeWeights[cumulativeWeights.count - 1]
        let k = cumulativeWeights.firstIndex { u < $0 } ?? cumulativeWeights.count - 1
        let isPrior = k == centres.count
        return dimensions.indices.map { d in
            let dimension = dimensions[d]
            if dimension.isFixed { return dimension.lowest }
            switch dimension {
            case let .categorical(count):
                if isPrior || random.nextDouble() * (1 + smoothing) >= 1 { return Double(random.next(below: count)) }
                return centres[k][d]
            case .real, .integer:
                let (low, high) = dimension.workingBounds!
                let (centre, sigma) = kernel(k, d)
                let x = ParzenEstimator.drawTruncated(centre: centre, sigma: sigma, low: low, high: high, &random)
                if dimension.isWhole { return min(max(x.rounded(), low + 0.5), high - 0.5) }
                return x
            }
        }
    }

    /// Kernel `k`'s centre and bandwidth in the real or whole dimension `d` (`k` = `centres.count`: the prior's).
    private func kernel(_ k: Int, _ d: Int) -> (centre: Double, sigma: Double) {
        k < centres.count ? (centres[k][d], sigmas[d]) : (priorCentres[d], priorSigmas[d])
    }

    /// log of the density (a whole number: the probability of its cell) at the working-scale point `x`,
    /// summed over the kernels in order.
    func logDensity(at x: [Double]) -> Double {
        var terms = logShares
        for d in dimensions.indices where !dimensions[d].isFixed {
            let dimension = dimensions[d]
            switch dimension {
            case .categorical:
                for k in centres.indices { terms[k] += centres[k][d] == x[d] ? logHit[d] : logMiss[d] }
                terms[centres.count] -= log(Double(Self.categories(dimension)))
            case .real:
                let scale = 0.5 * log(2 * Double.pi)
                for k in 0...centres.count {
                    let (centre, sigma) = kernel(k, d)
                    let z = (x[d] - centre) / sigma
                    terms[k] += logInside[d][k] - 0.5 * z * z - log(sigma) - scale
                }
            case .integer:
                for k in 0...centres.count {
                    let (centre, sigma) = kernel(k, d)
                    let mass = ParzenEstimator.normalMass((x[d] - 0.5 - centre) / sigma, (x[d] + 0.5 - centre) / sigma)
                    terms[k] += mass > 0 ? logInside[d][k] + log(mass) : -.infinity
                }
            }
        }
        return ParzenEstimator.logSumExp(count: terms.count) { terms[$0] }
    }
}
