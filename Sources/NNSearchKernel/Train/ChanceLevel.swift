import Foundation

/// The figures of a model that learned nothing from the features: it always predicts the training
/// split's class frequencies (classification) or its mean target (regression).
///
/// A trial whose losses stay near these has learned nothing (the seed report's validation loss
/// stuck at 1.089 ≈ ln 3 is this level for three balanced classes).
package struct ChanceLevel: Equatable, Sendable {
    /// The loss of that prediction on the training split: the entropy of the class frequencies, or the targets' variance.
    package var trainLoss: Double
    /// Its loss on the validation split (cross-entropy against the training frequencies, or the squared error of the training mean).
    package var valLoss: Double
    /// Its accuracy when it always picks the most frequent training class (R² of the training mean for regression: 0 or below).
    package var valMetric: Double
    /// The same on the training split (the majority class's share; R² 0).
    package var trainMetric: Double
    /// Rows in the validation split: how noisy a validation figure is (0 when unknown).
    package var validationRows: Int

    package init(trainLoss: Double, valLoss: Double, trainMetric: Double, valMetric: Double, validationRows: Int) {
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.trainMetric = trainMetric
        self.valMetric = valMetric
        self.validationRows = validationRows
    }

    /// Two standard errors of a validation accuracy near chance's, √(p(1−p)/n) each: how far above
    /// chance an accuracy must be before it is more than the luck of this split's draw.
    package var accuracyNoise: Double {
        guard validationRows > 0 else { return 0 }
        let p = min(max(valMetric, 0), 1)
        return 2 * (p * (1 - p) / Double(max(validationRows, 1))).squareRoot()
    }

    init(lossKind: LossKind, train: TrainingData.Part, validation: TrainingData.Part) {
        switch lossKind {
        case .meanSquaredError:
            let n = Double(max(train.values.count, 1))
            let mean = train.values.reduce(0.0) { $0 + Double($1) } / n
            var valSquares = 0.0
            for y in validation.values { valSquares += (Double(y) - mean) * (Double(y) - mean) }
            let m = Double(max(validation.values.count, 1))
            self.init(trainLoss: train.totalSumOfSquares / n, valLoss: valSquares / m, trainMetric: 0,
                      valMetric: validation.totalSumOfSquares > 0 ? 1 - valSquares / validation.totalSumOfSquares : 0,
                      validationRows: validation.rows)
        case .binaryCrossEntropy, .softmaxCrossEntropy:
            let classes = max(lossKind.outputs, 2)
            var counts = [Int](repeating: 0, count: classes)
            for y in train.labels where Int(y) < classes { counts[Int(y)] += 1 }
            let n = Double(max(train.labels.count, 1))
            // A class absent from the training split gets the probability one row in n would give it,
            // so the loss stays finite (it is what smoothing the frequencies by a count of one gives).
            let p = counts.map { max(Double($0), 1) / n }
            let majority = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
            var trainLoss = 0.0
            for c in 0..<classes where counts[c] > 0 { trainLoss -= Double(counts[c]) / n * log(p[c]) }
            var valLoss = 0.0, valRight = 0
            for y in validation.labels where Int(y) < classes {
                valLoss -= log(p[Int(y)])
                if Int(y) == majority { valRight += 1 }
            }
            let m = Double(max(validation.labels.count, 1))
            self.init(trainLoss: trainLoss, valLoss: valLoss / m, trainMetric: Double(counts[majority]) / n,
                      valMetric: Double(valRight) / m, validationRows: validation.rows)
        }
    }
}
