// Activations run elementwise over a whole padded buffer (rows × ld floats). Pad columns
// hold whatever the activation maps 0 to; they are never read as inputs (layers loop over
// the real width), and their gradients are multiplied by zero weights.

/// SELU constants (Klambauer et al. 2017).
let seluAlpha: Float = 1.6732632423543772
let seluScale: Float = 1.0507009873554805

/// out = act(inp), both `count` floats. `inp` and `out` may be the same buffer.
func activationForward(
    _ activation: Activation, _ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
) {
    switch activation {
    case .relu: forEachLane(inp, out, count: count, reluForward) { max($0, 0) }
    case .tanh: forEachLane(inp, out, count: count, tanhVector, tanhNaive)
    case .sigmoid: forEachLane(inp, out, count: count, sigmoid, sigmoid)
    case .selu: forEachLane(inp, out, count: count, seluForward, selu)
    }
}

/// out[i] = f(inp[i]) for `count` floats: `vector` over whole vectors, `scalar` for the rest.
@inline(__always)
private func forEachLane(
    _ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
    _ vector: (Vec) -> Vec, _ scalar: (Float) -> Float
) {
    var i = 0
    while i + vecWidth <= count {
        vector(Vec.load(inp + i)).store(out + i)
        i += vecWidth
    }
    while i < count { out[i] = scalar(inp[i]); i += 1 }
}

/// grad *= act'(z), given `out` = act(z) (the derivative is computed from the output).
func activationBackward(
    _ activation: Activation, out: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, count: Int
) {
    switch activation {
    case .relu:
        var i = 0
        while i + vecWidth <= count {
            reluBackward(Vec.load(grad + i), out: Vec.load(out + i)).store(grad + i)
            i += vecWidth
        }
        while i < count { if out[i] <= 0 { grad[i] = 0 }; i += 1 }
    case .tanh:
        for i in 0..<count { grad[i] *= 1 - out[i] * out[i] }
    case .sigmoid:
        for i in 0..<count { grad[i] *= out[i] * (1 - out[i]) }
    case .selu:
        // For z <= 0, d/dz λα(eᶻ - 1) = λαeᶻ = out + λα.
        for i in 0..<count { grad[i] *= out[i] > 0 ? seluScale : out[i] + seluScale * seluAlpha }
    }
}

/// relu of a vector: negative lanes become zero (NaN and -0 stay as they are).
@inline(__always)
func reluForward(_ x: Vec) -> Vec { x.replacing(with: Vec(), where: x .< Vec()) }

/// A gradient through relu, given the activation's output: zero where the output is not positive.
@inline(__always)
func reluBackward(_ grad: Vec, out: Vec) -> Vec { grad.replacing(with: Vec(), where: out .<= Vec()) }

/// The logistic function, stable for large |x|.
@inline(__always)
func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expNaive(-x)) }
    let e = expNaive(x)
    return e / (1 + e)
}

/// `sigmoid` of every lane: e = e^−|x| is e^−x where x ≥ 0 and e^x elsewhere (NaN included), as there.
@inline(__always)
func sigmoid(_ x: Vec) -> Vec {
    let e = expVector(Vec(bitPattern: x.bitPattern() | 0x8000_0000))  // −|x|
    let one = Vec(repeating: 1)
    return (e / (one + e)).replacing(with: one / (one + e), where: x .>= Vec())
}

/// SELU: λx where x > 0, λα(e^x − 1) elsewhere.
@inline(__always)
func selu(_ x: Float) -> Float { x > 0 ? seluScale * x : seluScale * seluAlpha * (expNaive(x) - 1) }

/// SELU of every lane, as `selu` (NaN included).
///
/// e^x is taken of the non-positive lanes only (the positive ones get e^0), so large inputs stay on
/// `expVector`'s fast path.
@inline(__always)
func seluForward(_ x: Vec) -> Vec {
    let positive = x .> Vec()
    let e = expVector(x.replacing(with: 0, where: positive))
    let negativePart = Vec(repeating: seluScale * seluAlpha) * (e - 1)
    return negativePart.replacing(with: Vec(repeating: seluScale) * x, where: positive)
}
