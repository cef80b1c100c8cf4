/// Per-feature standardization, (x − mean) / std, with statistics from the rows a model trains on.
///
/// The one formula training and prediction share: each value is widened to Double, centred,
/// multiplied by 1 / std (in Double) and rounded to Float once, so `predict` feeds a saved
/// model exactly the numbers its trial trained and was scored on.
package struct Standardization: Equatable, Sendable {
    /// The training rows' mean of each feature.
    package var mean: [Double]
    /// The divisor of each feature: the training rows' population standard deviation, or 1 for a
    /// constant feature (which is then only centred).
    package var std: [Double]

    package init(mean: [Double], std: [Double]) {
        self.mean = mean
        self.std = std
    }

    /// The statistics of `rows` rows of `features` (row-major, `count` per row), in Double.
    init(of features: [Float], count: Int) {
        let rows = count == 0 ? 0 : features.count / count
        var mean = [Double](repeating: 0, count: count)
        var variance = [Double](repeating: 0, count: count)
        if rows > 0 {
            for r in 0..<rows {
                for c in 0..<count { mean[c] += Double(features[r * count + c]) }
            }
            for c in 0..<count { mean[c] /= Double(rows) }
            for r in 0..<rows {
                for c in 0..<count {
                    let d = Double(features[r * count + c]) - mean[c]
                    variance[c] += d * d
                }
            }
        }
        self.mean = mean
        std = variance.map { rows > 0 && $0 > 0 ? ($0 / Double(rows)).squareRoot() : 1 }
    }

    /// Standardizes row-major `features` in place (`mean.count` per row).
    func apply(to features: inout [Float]) {
        let count = mean.count
        guard count > 0 else { return }
        let scale = std.map { 1 / $0 }
        for i in features.indices {
            let c = i % count
            features[i] = Float((Double(features[i]) - mean[c]) * scale[c])
        }
    }
}
