// A fully connected layer whose inputs and outputs each fit in one vector (≤ vecWidth features):
// the seed's 2→2→3 net, width-8 nets. Same buffers and meaning as `linearForward` and
// `linearBackward` (Linear.swift), with ldi = outPad = vecWidth:
// inp (B, vecWidth) with `inDim` real columns; weight (inDim, vecWidth); bias (vecWidth);
// out (B, vecWidth); dout (B, vecWidth); dinp (B, vecWidth).
//
// At these sizes a step is a few dozen multiply-adds, so the general GEMM's tile selection and
// call setup cost more than the arithmetic. These loops do the same arithmetic in the same order
// (every element one in-order chain of fused multiply-adds; the input gradient by the same rule
// and reduction as the general layer), so they agree with `linearForward` and `linearBackward`
// bit for bit: which of the two runs never changes a result (`NarrowLinearTests`).

/// Whether a layer of `inDim` inputs and `outPad` padded outputs runs the narrow loops.
@inline(__always)
func isNarrowLayer(inDim: Int, outPad: Int) -> Bool { inDim <= vecWidth && outPad == vecWidth }

/// out = inp · weight + bias, one row at a time with the weight rows in registers.
@inline(__always)
func narrowLinearForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    rows: Int, inDim: Int
) {
    let b = Vec.load(bias)
    for r in 0..<rows {
        narrowRowForward(inp + r &* vecWidth, weight: weight, bias: b, inDim: inDim).store(out + r &* vecWidth)
    }
}

/// One row of `narrowLinearForward` (`NarrowNet` runs it layer by layer for a batch of one):
/// bias + Σ_p inp[p] · weight[p], one chain of fused multiply-adds in order of p.
@inline(__always)
func narrowRowForward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: Vec, inDim: Int) -> Vec {
    var x = bias
    for p in 0..<inDim { x = fused(x, Vec(repeating: inp[p]), Vec.load(weight + p &* vecWidth)) }
    return x
}

/// dweight = inpᵀ · dout, dbias = Σ_rows dout and, if `dinp` is given, dinp = dout · weightᵀ.
///
/// `weightT` is scratch of (outDim, vecWidth) floats, used as `linearBackward` uses it.
@inline(__always)
func narrowLinearBackward(
    dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dinp: UnsafeMutablePointer<Float>?, weightT: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    rows: Int, inDim: Int, outDim: Int
) {
    let w = vecWidth
    if rows == 1 && !inputGradientTransposes(rows: 1, outPad: w) {
        let g = narrowRowBackward(dout: Vec.load(dout), inp: Vec.load(inp), dweight: dweight, dbias: dbias,
                                  weight: weight, inDim: inDim, inputGradient: dinp != nil)
        if let dinp { g.store(dinp) }
        return
    }
    // dW[i] = Σ_b inp[b][i] · dout[b], one chain over b from zero (matmul with A = inpᵀ), eight
    // rows of dW side by side so their chains overlap (rows of dW past inDim are computed from the
    // pad columns and not stored).
    var i0 = 0
    while i0 < inDim {
        var x0 = Vec(), x1 = Vec(), x2 = Vec(), x3 = Vec(), x4 = Vec(), x5 = Vec(), x6 = Vec(), x7 = Vec()
        var a = inp + i0
        var d = dout
        for _ in 0..<rows {
            let g = Vec.load(d)
            x0 = fused(x0, Vec(repeating: a[0]), g); x1 = fused(x1, Vec(repeating: a[1]), g)
            x2 = fused(x2, Vec(repeating: a[2]), g); x3 = fused(x3, Vec(repeating: a[3]), g)
            x4 = fused(x4, Vec(repeating: a[4]), g); x5 = fused(x5, Vec(repeating: a[5]), g)
            x6 = fused(x6, Vec(repeating: a[6]), g); x7 = fused(x7, Vec(repeating: a[7]), g)
            a += w
            d += w
        }
        let out = dweight + i0 &* w, n = inDim - i0
        x0.store(out)
        if n > 1 { x1.store(out + w) }
        if n > 2 { x2.store(out + 2 &* w) }
        if n > 3 { x3.store(out + 3 &* w) }
        if n > 4 { x4.store(out + 4 &* w) }
        if n > 5 { x5.store(out + 5 &* w) }
        if n > 6 { x6.store(out + 6 &* w) }
        if n > 7 { x7.store(out + 7 &* w) }
        i0 += 8
    }
    var sum = Vec()
    for r in 0..<rows { sum += Vec.load(dout + r &* w) }
    sum.store(dbias)
    guard let dinp else { return }
    if inputGradientTransposes(rows: rows, outPad: w) {
        // dinp[b] = Σ_o dout[b][o] · Wᵀ[o], as transpose + matmul compute it. Wᵀ is written here with
        // its pad lanes zeroed (`transpose` leaves them as they are): at most 8 × 8 moves.
        for o in 0..<outDim {
            let t = weightT + o &* w
            for i in 0..<inDim { t[i] = weight[i &* w + o] }
            for i in inDim..<w { t[i] = 0 }
        }
        for r in 0..<rows {
            let d = dout + r &* w
            var x = Vec()
            for o in 0..<outDim { x = fused(x, Vec(repeating: d[o]), Vec.load(weightT + o &* w)) }
            x.store(dinp + r &* w)
        }
    } else {
        // dinp[b][i] = dout[b] · W[i] as `matmulTransposed` reduces it; pad columns zero.
        for r in 0..<rows {
            let d = dout + r &* w
            var g = Vec()
            for i in 0..<inDim { g[i] = dot1(d, weight + i &* w, w) }
            g.store(dinp + r &* w)
        }
    }
}

/// `narrowLinearBackward` of one row (batch 1; `NarrowNet` keeps the vectors in registers between
/// layers): dW[i] = inp[i] · dout, each chain one step from zero; dbias = 0 + dout; and, when
/// `inputGradient`, returns the input gradient by `dot1`'s reduction (the rule
/// `inputGradientTransposes` picks for one row), pad lanes zero.
@inline(__always)
func narrowRowBackward(
    dout g: Vec, inp: Vec, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    weight: UnsafePointer<Float>, inDim: Int, inputGradient: Bool
) -> Vec {
    let w = vecWidth
    for i in 0..<inDim { fused(Vec(), Vec(repeating: inp[i]), g).store(dweight + i &* w) }
    (Vec() + g).store(dbias)
    var d = Vec()
    guard inputGradient else { return d }
    for i in 0..<inDim { d[i] = laneSum(fused(Vec(), g, Vec.load(weight + i &* w))) }
    return d
}
