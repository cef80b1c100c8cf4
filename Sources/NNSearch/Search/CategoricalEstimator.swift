import Foundation
import NNSearchKernel

/// Smoothed category frequencies: each category's weighted count plus an even share of the prior
/// weight, over the total weight.
///
/// p(k) = (Σᵢ wᵢ [xᵢ = k] + p / K) / (Σᵢ wᵢ + p) for K categories and prior weight p, so every
/// category keeps a positive probability.
struct CategoricalEstimator: Sendable {
    /// p(k) for each category k.
    let probabilities: [Double]
    let logProbabilities: [Double]
    /// Running sums of the unnormalized masses, in category order, for drawing one.
    private let cumulativeMasses: [Double]

    /// An estimator over `0 ..< count` from category indices (in range) with their weights.
    init(values: [Int], weights: [Double], count: Int, priorWeight: Double) {
        precondition(count >= 1 && values.count == weights.count && priorWeight > 0)
        var masses = [Double](repeating: priorWeight / Double(count), count: count)
        var total = priorWeight
        for (value, weight) in zip(values, weights) {
            masses[value] += weight
            total += weight
        }
        var running = 0.0
        cumulativeMasses = masses.map { running += $0; return running }
        probabilities = masses.map { $0 / total }
        logProbabilities = probabilities.map { log($0) }
    }

    /// A category drawn with probability p(k).
    func draw(_ random: inout Random) -> Int {
        let u = random.nextDouble() * cumulativeMasses[cumulativeMasses.count - 1]
        return cumulativeMasses.firstIndex { u < $0 } ?? cumulativeMasses.count - 1
    }
}
