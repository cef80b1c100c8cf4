import NNSearchKernel

/// The generated problems of the seed reports (see `anchors/seeds.py`), seeded and reproducible.
///
/// Features are drawn as Doubles and stored as Floats; each label is computed from the stored
/// Float values (widened back to Double), so it is exactly the seed's formula applied to the data
/// the model sees, even for rows near a class boundary.
package enum DataGenerator: String, CaseIterable, Sendable {
    /// Two uniform features; class by the sum's bin: below 0.807, below 1.169, or above.
    case sumBin = "sum_bin"
    /// Two uniform features; class = floor(100 × sum) mod 3.
    case sumMod = "sum_mod"
    /// One feature `hr` ~ N(92, 12); class = hr ≥ 91.
    case heartRate = "heart_rate"

    /// Features per row.
    package var featureCount: Int { self == .heartRate ? 1 : 2 }
    /// Classes its labels take.
    package var classCount: Int { self == .heartRate ? 2 : 3 }

    /// `rows` rows drawn from `Random(seed: seed)`.
    package func generate(rows: Int, seed: UInt64) -> Dataset {
        var random = Random(seed: seed)
        let rows = max(0, rows)
        var features: [Float] = []
        var labels: [Int32] = []
        features.reserveCapacity(rows * featureCount)
        labels.reserveCapacity(rows)
        for _ in 0..<rows {
            switch self {
            case .sumBin, .sumMod:
                let x0 = Float(random.nextDouble()), x1 = Float(random.nextDouble())
                features += [x0, x1]
                labels.append(self == .sumBin ? Self.sumBinLabel(x0, x1) : Self.sumModLabel(x0, x1))
            case .heartRate:
                let hr = Float(92 + 12 * random.nextNormal())
                features.append(hr)
                labels.append(Self.heartRateLabel(hr))
            }
        }
        let names = self == .heartRate ? ["hr"] : ["x0", "x1"]
        let classes = self == .heartRate ? ["0", "1"] : ["0", "1", "2"]
        return Dataset(featureNames: names, features: features, targets: .classes(labels: labels, names: classes))
    }

    // MARK: - Labels

    static func sumBinLabel(_ x0: Float, _ x1: Float) -> Int32 {
        let s = Double(x0) + Double(x1)
        return s < 0.807 ? 0 : s < 1.169 ? 1 : 2
    }

    static func sumModLabel(_ x0: Float, _ x1: Float) -> Int32 {
        Int32(Int(((Double(x0) + Double(x1)) * 100).rounded(.down)) % 3)
    }

    static func heartRateLabel(_ hr: Float) -> Int32 { hr >= 91 ? 1 : 0 }
}
