/// What the network's outputs mean, which decides the loss.
package enum LossKind: Hashable, Sendable {
    /// Softmax cross-entropy over `classes` (>= 3) logits.
    case softmaxCrossEntropy(classes: Int)
    /// Sigmoid binary cross-entropy on one logit (2 classes).
    case binaryCrossEntropy
    /// Mean squared error on one output (regression).
    case meanSquaredError

    /// Number of network outputs.
    package var outputs: Int {
        if case .softmaxCrossEntropy(let classes) = self { return classes }
        return 1
    }
}

/// Mean loss over `rows` and its gradient with respect to the logits.
///
/// logits is (rows, ld); classes are `labels[row]`, regression targets `values[row]`.
/// dlogits (rows, ld) gets d(mean loss)/d(logit), zero in the pad columns; pass nil to skip.
/// ld is at least `padded(classes)`: softmax reads and writes a row a whole vector at a time.
/// The loss is always taken from logits: no softmax or sigmoid layer precedes it.
/// Returns the *sum* of per-row losses (the caller divides), in Double.
@inline(__always)
func lossForwardBackward(
    _ kind: LossKind, logits: UnsafePointer<Float>, ld: Int, rows: Int,
    labels: UnsafePointer<Int32>?, values: UnsafePointer<Float>?,
    dlogits: UnsafeMutablePointer<Float>?, scale: Float
) -> Double {
    var total = 0.0
    switch kind {
    case .softmaxCrossEntropy(let classes):
        assert(ld >= padded(classes), "softmax rows are whole vectors")
        // Whole blocks of vecWidth rows, a row per lane; then the rows left, one at a time. Each row's
        // arithmetic is the same either way, so which rows go which way changes no bit.
        let blocks = rows >= vecWidth
            ? softmaxBlocks(logits, ld: ld, rows: rows, classes: classes, labels: labels!, dlogits: dlogits, scale: scale)
            : (total: 0, rows: 0)
        total = blocks.total
        for r in blocks.rows..<rows {
            let z = logits + r * ld
            let y = Int(labels![r])
            var maxZ = z[0]
            for c in 1..<classes { maxZ = max(maxZ, z[c]) }
            // e^(z − max) is kept in the gradient row, then scaled.
            let out = dlogits.map { $0 + r * ld }
            let sum = shiftedExponentials(z, classes: classes, minus: maxZ, into: out)
            if let out {
                let factor = scale / sum
                for c in 0..<classes { out[c] *= factor }
                out[y] -= scale
            }
            total += Double(logarithm(sum) - (z[y] - maxZ))
        }
    case .binaryCrossEntropy:
        for r in 0..<rows {
            let z = logits[r * ld]
            let y = Float(labels![r])
            // max(z, 0) - z·y + log(1 + e^{-|z|}): BCEWithLogits, stable for any z. e^{-|z|} is also the
            // one exponential `sigmoid(z)` takes (e^{-z} for z ≥ 0, e^z below), so it is taken once.
            let e = expNaive(-abs(z))
            total += Double(max(z, 0) - z * y + logarithmOnePlus(e))
            dlogits?[r * ld] = ((z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y) * scale
        }
    case .meanSquaredError:
        for r in 0..<rows {
            let d = logits[r * ld] - values![r]
            total += Double(d * d)
            dlogits?[r * ld] = 2 * d * scale
        }
    }
    return total
}

/// `lossForwardBackward`'s softmax over the whole blocks of vecWidth rows in `rows`: their loss sum, and
/// the rows done. Not inlined: one call does a block's work or more, and inlined it would make
/// `lossForwardBackward` too large to inline into a step of one row.
@inline(never)
private func softmaxBlocks(
    _ logits: UnsafePointer<Float>, ld: Int, rows: Int, classes: Int, labels: UnsafePointer<Int32>,
    dlogits: UnsafeMutablePointer<Float>?, scale: Float
) -> (total: Double, rows: Int) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: classes * vecWidth) { columns in
        var total = 0.0
        var r = 0
        while r + vecWidth <= rows {
            let losses = softmaxBlock(logits + r * ld, ld: ld, classes: classes, labels: labels + r,
                                      dlogits: dlogits.map { $0 + r * ld }, scale: scale, columns: columns.baseAddress!)
            for i in 0..<vecWidth { total += Double(losses[i]) }
            r += vecWidth
        }
        return (total, r)
    }
}

/// Softmax cross-entropy of vecWidth rows at once, row i in lane i, the one-row arithmetic lane by lane
/// (max and sum class by class in order, e^x and ln x of the same functions), so every row's loss and
/// gradient row (zero in the pad columns) have the one-row path's bits. Returns the rows' losses.
///
/// A lane per row fills every lane of each e^x where a row of 3 classes fills 3 of 8, and takes one
/// ln x per block instead of one per row. `columns` is scratch of `classes` × vecWidth floats.
@inline(__always)
private func softmaxBlock(
    _ logits: UnsafePointer<Float>, ld: Int, classes: Int, labels: UnsafePointer<Int32>,
    dlogits: UnsafeMutablePointer<Float>?, scale: Float, columns: UnsafeMutablePointer<Float>
) -> Vec {
    let w = vecWidth
    @inline(__always) func column(_ c: Int) -> Vec {
        var z = Vec()
        for i in 0..<w { z[i] = logits[i &* ld &+ c] }
        return z
    }
    var maxZ = column(0)
    for c in 1..<classes {
        let z = column(c)
        maxZ = maxZ.replacing(with: z, where: z .>= maxZ)  // Swift's max(x, z): z >= x ? z : x, NaN as it does
    }
    var atLabel = Vec(), label = Vec()
    for i in 0..<w {
        atLabel[i] = logits[i &* ld &+ Int(labels[i])]
        label[i] = Float(labels[i])
    }
    var sum = Vec()
    for c in 0..<classes {
        let e = expVector(column(c) - maxZ)
        e.store(columns + c &* w)
        sum += e
    }
    if let dlogits {
        let factor = Vec(repeating: scale) / sum
        for i in 0..<w { zeroFloats(dlogits + i &* ld, count: padded(classes)) }
        for c in 0..<classes {
            // − scale at the label; subtracting +0 elsewhere leaves a lane as it is.
            let minus = Vec(repeating: scale).replacing(with: 0, where: label .!= Vec(repeating: Float(c)))
            let g = Vec.load(columns + c &* w) * factor - minus
            for i in 0..<w { dlogits[i &* ld &+ c] = g[i] }
        }
    }
    return logVector(sum) - (atLabel - maxZ)
}

/// The sum of e^(z[c] − shift) over the `classes` logits of one row, added class by class in order, taken a
/// vector at a time; with `out`, the exponentials are written there too (zero in its pad lanes up to the next
/// whole vector).
@inline(__always)
private func shiftedExponentials(
    _ z: UnsafePointer<Float>, classes: Int, minus shift: Float, into out: UnsafeMutablePointer<Float>?
) -> Float {
    var sum: Float = 0
    var c0 = 0
    repeat {
        let e = expVector(Vec.load(z + c0) - Vec(repeating: shift))
            .replacing(with: 0, where: laneIndices .>= Vec(repeating: Float(classes &- c0)))
        out.map { e.store($0 + c0) }
        let n = classes &- c0
        for i in 0..<vecWidth where i < n { sum += e[i] }  // lanes by constant index: no trip through memory
        c0 &+= vecWidth
    } while c0 < classes
    return sum
}

/// Number of rows whose predicted class equals the label (`predictedClass` of each row's logits).
func correctCount(
    _ kind: LossKind, logits: UnsafePointer<Float>, ld: Int, rows: Int, labels: UnsafePointer<Int32>
) -> Int {
    if kind == .meanSquaredError { return 0 }
    var correct = 0
    for r in 0..<rows where predictedClass(kind, logits: logits + r * ld) == Int(labels[r]) { correct += 1 }
    return correct
}
