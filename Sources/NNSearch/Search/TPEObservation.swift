/// One finished trial as `TPESampler` sees it: its point and its score.
package struct TPEObservation: Sendable, Equatable {
    /// One value per dimension, encoded as `TPEDimension` says.
    package var point: [Double]
    /// Larger is better; −∞ (or NaN) for a bad trial — diverged, pruned, failed — which is never good.
    package var score: Double

    package init(point: [Double], score: Double) {
        self.point = point
        self.score = score
    }
}
