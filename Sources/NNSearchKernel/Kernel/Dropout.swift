// Inverted dropout between hidden layers. x, mask are (count) floats; mask holds 0 or 1/(1-p).

/// Draws a fresh mask and applies it in place: x *= mask.
func dropoutForward(
    _ x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, count: Int,
    rate: Float, rng: inout Random
) {
    let keep = 1 / (1 - rate)
    for i in 0..<count {
        mask[i] = rng.nextFloat() < rate ? 0 : keep
        x[i] *= mask[i]
    }
}

/// grad *= mask.
func dropoutBackward(_ grad: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + vecWidth <= count {
        (Vec.load(grad + i) * Vec.load(mask + i)).store(grad + i)
        i += vecWidth
    }
    while i < count { grad[i] *= mask[i]; i += 1 }
}
