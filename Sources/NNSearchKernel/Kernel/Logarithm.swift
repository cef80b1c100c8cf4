// ln x for Float, owned by the kernel: the same bits as glibc's `logf` on an x86-64 CPU with FMA and
// AVX2 (`__logf_fma`, glibc 2.27 and later), as `expNaive` (Exponential.swift) is for e^x.
//
// The algorithm is glibc's (from Arm's optimized-routines, Szabolcs Nagy, 2017), restated from its
// description and checked bit for bit against the library: x = 2^k · z with z in [0x1.66p−1, 0x1.66p0)
// (k and z taken from x's bits around OFF = 0x3f330000), c near z from a table of 16 with 1/c and
// ln c; then ln x = ln c + k·ln 2 + log1p(r), r = z/c − 1, log1p(r) ≈ r + A2·r² + A1·r³ + A0·r⁴, in Double:
//   r  = fma(z, 1/c, −1),  y0 = fma(k, ln 2, ln c)
//   y  = fma(A0, r², fma(A1, r, A2)),  ln x = Float(fma(y, r², y0 + r))
// The fused operations are `__logf_fma`'s (read from its machine code).

private let logLn2: Double = 0x1.62e42fefa39efp-1
private let logA0: Double = -0x1.00ea348b88334p-2
private let logA1: Double = 0x1.5575b0be00b6ap-2
private let logA2: Double = -0x1.ffffef20a4123p-2
/// The bits of 0x1.66p−1: z's interval starts here.
private let logOffset: UInt32 = 0x3f33_0000

/// 1/c and ln c for the 16 subintervals of z, interleaved.
let logTable: [Double] = [
    0x1.661ec79f8f3bep+0, -0x1.57bf7808caadep-2, 0x1.571ed4aaf883dp+0, -0x1.2bef0a7c06ddbp-2,
    0x1.49539f0f010b0p+0, -0x1.01eae7f513a67p-2, 0x1.3c995b0b80385p+0, -0x1.b31d8a68224e9p-3,
    0x1.30d190c8864a5p+0, -0x1.6574f0ac07758p-3, 0x1.25e227b0b8ea0p+0, -0x1.1aa2bc79c8100p-3,
    0x1.1bb4a4a1a343fp+0, -0x1.a4e76ce8c0e5ep-4, 0x1.12358f08ae5bap+0, -0x1.1973c5a611cccp-4,
    0x1.0953f419900a7p+0, -0x1.252f438e10c1ep-5, 0x1.0000000000000p+0, 0x0.0p+0,
    0x1.e608cfd9a47acp-1, 0x1.aa5aa5df25984p-5, 0x1.ca4b31f026aa0p-1, 0x1.c5e53aa362eb4p-4,
    0x1.b2036576afce6p-1, 0x1.526e57720db08p-3, 0x1.9c2d163a1aa2dp-1, 0x1.bc2860d224770p-3,
    0x1.886e6037841edp-1, 0x1.1058bc8a07ee1p-2, 0x1.767dcf5534862p-1, 0x1.4043057b6ee09p-2,
]

/// ln x, one float at a time (the loss takes one per row; `logVector` a vector at a time).
///
/// Special cases as glibc's: ln 1 = +0, ln ±0 = −∞, ln +∞ = +∞, NaN for NaN and negative x;
/// a subnormal x is scaled by 2^23 first.
func logarithm(_ x: Float) -> Float {
    var ix = x.bitPattern
    if ix == 0x3f80_0000 { return 0 }
    if ix &- 0x0080_0000 >= 0x7f80_0000 - 0x0080_0000 {
        if ix &* 2 == 0 { return -.infinity }
        if ix == 0x7f80_0000 { return x }
        if ix & 0x8000_0000 != 0 || ix &* 2 >= 0xff00_0000 { return (x - x) / (x - x) }
        ix = (x * 0x1p23).bitPattern &- (23 << 23)
    }
    let tmp = ix &- logOffset
    let i = Int((tmp >> 19) % 16)
    let k = Int32(bitPattern: tmp) >> 23
    let z = Double(Float(bitPattern: ix &- (tmp & 0xff80_0000)))
    return logTable.withUnsafeBufferPointer { table in
        let r = Double(-1).addingProduct(z, table[2 * i])
        let y0 = table[2 * i + 1].addingProduct(Double(k), logLn2)
        let r2 = r * r
        let y = logA2.addingProduct(logA1, r).addingProduct(logA0, r2)
        return Float((y0 + r).addingProduct(y, r2))
    }
}

/// ln x of every lane: `logarithm`'s arithmetic, all lanes at once (the softmax loss of a block of
/// rows takes one per block).
@inline(__always)
func logVector(_ x: Vec) -> Vec {
    let ix = x.bitPattern()
    // Zero, subnormal, negative, ±∞ or NaN in some lane: `logarithm`'s special cases, lane by lane (rare).
    if (ix &- VecBits(repeating: 0x0080_0000)).max() >= 0x7f00_0000 { return x.lanewise(logarithm) }
    let tmp = ix &- VecBits(repeating: logOffset)
    let i = (tmp &>> 19) & VecBits(repeating: 15)
    let k = unsafeBitCast(tmp, to: VecInts.self) &>> 23
    let z = Vec(bitPattern: ix &- (tmp & VecBits(repeating: 0xff80_0000)))
    var zd = DoubleVec(), kd = DoubleVec(), invc = DoubleVec(), logc = DoubleVec()
    logTable.withUnsafeBufferPointer { table in
        for lane in 0..<DoubleVec.scalarCount {
            zd[lane] = Double(z[lane])
            kd[lane] = Double(k[lane])
            let j = 2 &* Int(truncatingIfNeeded: i[lane])
            invc[lane] = table[j]
            logc[lane] = table[j &+ 1]
        }
    }
    let r = DoubleVec(repeating: -1).addingProduct(zd, invc)
    let y0 = logc.addingProduct(kd, DoubleVec(repeating: logLn2))
    let r2 = r * r
    let y = DoubleVec(repeating: logA2).addingProduct(DoubleVec(repeating: logA1), r)
        .addingProduct(DoubleVec(repeating: logA0), r2)
    let wide = (y0 + r).addingProduct(y, r2)
    var out = Vec()
    for lane in 0..<vecWidth { out[lane] = Float(wide[lane]) }
    return out
}
