// ln x for Float, owned by the kernel: the same bits as glibc's `logf` on an FMA machine
// (`__logf_fma`, glibc 2.27 and later), like `expNaive` (Exponential.swift) for e^x.
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

/// ln x, one float at a time (the loss takes one per row).
///
/// Special cases as glibc's: ln 1 = +0, ln ±0 = −∞, ln +∞ = +∞, NaN for NaN and negative x;
/// a subnormal x is scaled by 2^23 first.
func logNaive(_ x: Float) -> Float {
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

// ln(1 + x) for Float: the same bits as glibc 2.36's `log1pf`, fdlibm's (Sun Microsystems 1993;
// plain float arithmetic, nothing fused), restated from its description and checked bit for bit
// against the library. 1 + x = 2^k · (1 + f) with √2/2 ≤ 1 + f < √2 (and c the rounding error of
// 1 + x when k ≠ 0); ln(1 + f) = 2s + 2s·R(s²) with s = f/(2 + f), written as f − (f²/2 − s(f²/2 + R));
// then + k·ln 2 in a high and a low part.

private let ln2HiFloat: Float = 6.9313812256e-01     // 0x3f317180
private let ln2LoFloat: Float = 9.0580006145e-06     // 0x3717f7d1
private let lp1: Float = 6.6666668653e-01            // 0x3f2aaaab
private let lp2: Float = 4.0000000596e-01            // 0x3ecccccd
private let lp3: Float = 2.8571429849e-01            // 0x3e924925
private let lp4: Float = 2.2222198546e-01            // 0x3e638e29
private let lp5: Float = 1.8183572590e-01            // 0x3e3a3325
private let lp6: Float = 1.5313838422e-01            // 0x3e1cd04f
private let lp7: Float = 1.4798198640e-01            // 0x3e178897

/// ln(1 + x), one float at a time (binary cross-entropy takes one per row): glibc's `log1pf`, every case.
func log1pNaive(_ x: Float) -> Float {
    let hx = Int32(bitPattern: x.bitPattern)
    let ax = hx & 0x7fff_ffff
    var k: Int32 = 1
    var f: Float = 0, c: Float = 0
    var hu: Int32 = 0
    if hx < 0x3ed4_13d7 {                                // x < 0.41422
        if ax >= 0x3f80_0000 {                           // x ≤ −1
            return x == -1 ? -.infinity : (x - x) / (x - x)
        }
        if ax < 0x3100_0000 {                            // |x| < 2^−29
            return ax < 0x2480_0000 ? x : x - x * x * 0.5
        }
        if hx > 0 || hx <= Int32(bitPattern: 0xbe95_f61f) { k = 0; f = x; hu = 1 }   // −0.2929 < x < 0.41422
    } else if hx >= 0x7f80_0000 {
        return x + x
    }
    if k != 0 {
        var u: Float
        if hx < 0x5a00_0000 {
            u = 1 + x
            hu = Int32(bitPattern: u.bitPattern)
            k = (hu >> 23) - 127
            c = k > 0 ? 1 - (u - x) : x - (u - 1)        // the rounding error of 1 + x
            c /= u
        } else {
            u = x
            hu = Int32(bitPattern: u.bitPattern)
            k = (hu >> 23) - 127
            c = 0
        }
        hu &= 0x007f_ffff
        if hu < 0x3504f7 {
            u = Float(bitPattern: UInt32(bitPattern: hu | 0x3f80_0000))        // normalize u
        } else {
            k += 1
            u = Float(bitPattern: UInt32(bitPattern: hu | 0x3f00_0000))        // normalize u/2
            hu = (0x0080_0000 - hu) >> 2
        }
        f = u - 1
    }
    let hfsq = 0.5 * f * f
    let kf = Float(k)
    if hu == 0 {                                         // |f| < 2^−20
        if f == 0 { return k == 0 ? 0 : kf * ln2HiFloat + (c + kf * ln2LoFloat) }
        let r = hfsq * (1 - lp1 * f)
        return k == 0 ? f - r : kf * ln2HiFloat - ((r - (kf * ln2LoFloat + c)) - f)
    }
    let s = f / (2 + f)
    let z = s * s
    let r = z * (lp1 + z * (lp2 + z * (lp3 + z * (lp4 + z * (lp5 + z * (lp6 + z * lp7))))))
    if k == 0 { return f - (hfsq - s * (hfsq + r)) }
    return kf * ln2HiFloat - ((hfsq - (s * (hfsq + r) + (kf * ln2LoFloat + c))) - f)
}
