extension TPESampler {
    /// How a `TPESampler` splits, weighs and draws: Optuna's defaults, but a narrower joint bandwidth.
    package struct Settings: Sendable, Equatable {
        /// Fewer observations than this, and every dimension is drawn from its prior (`n_startup_trials`).
        package var startupTrials: Int
        /// Draws from the good estimator per dimension, of which the best ratio wins (`n_ei_candidates`).
        package var candidates: Int
        /// γ(n) = min(⌈goodPercent · n / 100⌉, maxGood) of n observations are good (`gamma`), in
        /// whole numbers; for 10 % the same as Optuna's `min(math.ceil(0.1 * n), 25)` (0.1 × n in
        /// floating point never lands just above a whole number it equals; checked to n = 2,000,000).
        package var goodPercent: Int
        package var maxGood: Int
        /// The prior component's weight, against at most 1 for an observation (`prior_weight`).
        package var priorWeight: Double
        /// The newest this many observations of a group weigh 1; older ones ramp linearly from 1/n
        /// up to 1 by age (`weights`, Optuna's `default_weights`).
        package var fullWeightCount: Int
        /// One joint estimator over all dimensions (`JointParzenEstimator`, Optuna's `multivariate`)
        /// instead of one per dimension.
        package var multivariate: Bool
        /// The joint estimator's bandwidth per unit of range before Scott's rate (Optuna's 0.2;
        /// 0.05 here, measured on `bench --samplers`' problems: see the README).
        package var bandwidthFactor: Double

        package init(startupTrials: Int = 10, candidates: Int = 24, goodPercent: Int = 10, maxGood: Int = 25,
                     priorWeight: Double = 1, fullWeightCount: Int = 25, multivariate: Bool = true,
                     bandwidthFactor: Double = 0.05) {
            precondition(startupTrials >= 0 && candidates >= 1 && goodPercent >= 0 && maxGood >= 0 && fullWeightCount >= 0)
            precondition(priorWeight > 0 && priorWeight.isFinite, "the prior weight is positive")
            precondition(bandwidthFactor > 0 && bandwidthFactor.isFinite, "the bandwidth factor is positive")
            self.startupTrials = startupTrials
            self.candidates = candidates
            self.goodPercent = goodPercent
            self.maxGood = maxGood
            self.priorWeight = priorWeight
            self.fullWeightCount = fullWeightCount
            self.multivariate = multivariate
            self.bandwidthFactor = bandwidthFactor
        }

        /// γ(n): how many of `n` observations form the good group (fewer if not that many are finite).
        func goodCount(of n: Int) -> Int {
            min((goodPercent * n + 99) / 100, maxGood)
        }

        /// The weights of a group of `count` observations, oldest first: 1 for the newest
        /// `fullWeightCount`, and before them `count − fullWeightCount` evenly spaced from 1/count to 1.
        func weights(count: Int) -> [Double] {
            guard count > fullWeightCount else { return [Double](repeating: 1, count: count) }
            let ramp = count - fullWeightCount
            let first = 1 / Double(count)
            let step = ramp > 1 ? (1 - first) / Double(ramp - 1) : 0
            return (0..<ramp).map { first + step * Double($0) } + [Double](repeating: 1, count: fullWeightCount)
        }
    }
}
