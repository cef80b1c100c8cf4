// What a network's logits say about one row: the class it predicts and the class probabilities.
// z is one row of logits: `kind.outputs` floats (softmax: one per class; binary: one logit).

/// The class one row's logits predict: the first largest logit (softmax), class 1 when the logit
/// is ≥ 0 (binary), 0 for regression. The accuracy a trial reports counts exactly these.
@inline(__always)
package func predictedClass(_ kind: LossKind, logits z: UnsafePointer<Float>) -> Int {
    switch kind {
    case .softmaxCrossEntropy(let classes):
        var best = 0
        for c in 1..<classes where z[c] > z[best] { best = c }
        return best
    case .binaryCrossEntropy:
        return z[0] >= 0 ? 1 : 0
    case .meanSquaredError:
        return 0
    }
}

/// Writes one row's class probabilities to p (classes floats): softmax e^(z − max) / Σ (the loss's
/// own form), or for two classes (1 − σ(z), σ(z)) with the loss's stable sigmoid. Nothing for regression.
package func classProbabilities(_ kind: LossKind, logits z: UnsafePointer<Float>, into p: UnsafeMutablePointer<Float>) {
    switch kind {
    case .softmaxCrossEntropy(let classes):
        var maxZ = z[0]
        for c in 1..<classes { maxZ = max(maxZ, z[c]) }
        var sum: Float = 0
        for c in 0..<classes { p[c] = expNaive(z[c] - maxZ); sum += p[c] }
        for c in 0..<classes { p[c] /= sum }
    case .binaryCrossEntropy:
        let one = sigmoid(z[0])
        p[0] = 1 - one
        p[1] = one
    case .meanSquaredError:
        break
    }
}
