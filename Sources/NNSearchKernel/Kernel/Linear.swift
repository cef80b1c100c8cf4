// A fully connected layer over padded row-major buffers.
// inp is (B, ldi) with `inDim` real columns; weight is (inDim, outPad); bias is (outPad);
// out is (B, outPad). outPad = padded(outDim); pad columns of weight and bias are zero.

/// out = inp · weight + bias: by `narrowLinearForward` when the layer fits one vector (and
/// `narrowLoops`, which only tests turn off to compare the two), otherwise by the tiled GEMM.
func linearForward(
    out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, ldi: Int,
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    rows: Int, inDim: Int, outPad: Int, narrowLoops: Bool = true
) {
    if narrowLoops && isNarrowLayer(inDim: inDim, outPad: outPad) {
        precondition(ldi == vecWidth, "a narrow layer's input is one vector wide")
        return narrowLinearForward(out: out, inp: inp, weight: weight, bias: bias, rows: rows, inDim: inDim)
    }
    matmul(m: rows, n: outPad, k: inDim, a: inp, aRow: ldi, aCol: 1,
           b: weight, ldb: outPad, c: out, ldc: outPad, bias: bias)
}

/// Writes dweight = inpᵀ · dout and dbias = Σ_rows dout; if `dinp` is given, dinp = dout · weightᵀ.
///
/// dout is (B, outPad) with zero pad columns; dweight (inDim, outPad); dinp (B, inPad) with
/// inPad = padded(inDim). `weightT` is scratch of (outDim, inPad) floats, used when
/// `inputGradientTransposes`; its pad columns are zero (the workspace's) except where another
/// layer's transpose, with another inPad, wrote: only the first layer under batch norm meets that,
/// and its input gradient's pad columns are never read (batch norm reads the real columns).
/// Gradients are written, not accumulated: one step's backward fully defines them.
/// By `narrowLinearBackward` when the layer fits one vector (and `narrowLoops`): the same results,
/// bit for bit.
func linearBackward(
    dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dinp: UnsafeMutablePointer<Float>?, weightT: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, ldi: Int,
    weight: UnsafePointer<Float>,
    rows: Int, inDim: Int, outDim: Int, outPad: Int, narrowLoops: Bool = true
) {
    if narrowLoops && isNarrowLayer(inDim: inDim, outPad: outPad) {
        precondition(ldi == vecWidth, "a narrow layer's input is one vector wide")
        return narrowLinearBackward(dweight: dweight, dbias: dbias, dinp: dinp, weightT: weightT, dout: dout,
                                    inp: inp, weight: weight, rows: rows, inDim: inDim, outDim: outDim)
    }
    // dW[i][o] = Σ_b inp[b][i] · dout[b][o]: A = inpᵀ, so rows step by 1 and k steps by ldi.
    matmul(m: inDim, n: outPad, k: rows, a: inp, aRow: 1, aCol: ldi,
           b: dout, ldb: outPad, c: dweight, ldc: outPad)
    columnSums(dout, rows: rows, ld: outPad, into: dbias)
    if let dinp {
        // dinp[b][i] = Σ_o dout[b][o] · weight[i][o].
        let inPad = padded(inDim)
        if inputGradientTransposes(rows: rows, outPad: outPad) {
            transpose(weight, rows: inDim, cols: outDim, lds: outPad, into: weightT, ldd: inPad)
            matmul(m: rows, n: inPad, k: outDim, a: dout, aRow: outPad, aCol: 1,
                   b: weightT, ldb: inPad, c: dinp, ldc: inPad)
        } else {
            matmulTransposed(m: rows, n: inDim, k: outPad, a: dout, lda: outPad, b: weight, ldb: outPad,
                             c: dinp, ldc: inPad)
            if inPad > inDim {
                for r in 0..<rows { (dinp + r * inPad + inDim).update(repeating: 0, count: inPad - inDim) }
            }
        }
    }
}

/// Whether a layer's input gradient transposes its weight and runs `matmul` rather than
/// `matmulTransposed`: the transpose costs in × out moves a step whatever the batch, and pays for
/// itself over many rows; `matmulTransposed` (a reduction per element, no transpose) is faster for
/// few rows against a wide layer. Measured on the AMD EPYC (AVX2), the two timed alternately in one
/// release process (`matmulTransposed` against the transpose and `matmul`): 16 rows × width 128,
/// 1.36× faster; 8 × 64, 1.8×; one row (batch 1), 2–11×; 32 × 128 even; 16 × 32, 0.83×; 64 × 32,
/// 0.58×. Decided by the shape alone, so a trial's arithmetic is too.
@inline(__always)
func inputGradientTransposes(rows: Int, outPad: Int) -> Bool { rows * 4 > outPad }

/// sums[c] = Σ_r x[r][c] for a (rows, ld) buffer, ld a multiple of the vector width.
func columnSums(_ x: UnsafePointer<Float>, rows: Int, ld: Int, into sums: UnsafeMutablePointer<Float>) {
    var j = 0
    while j < ld {
        var acc = Vec()
        for r in 0..<rows { acc += Vec.load(x + r * ld + j) }
        acc.store(sums + j)
        j += vecWidth
    }
}
