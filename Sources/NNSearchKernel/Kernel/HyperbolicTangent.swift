// tanh x for Float, owned by the kernel: the same bits as glibc's `tanhf` (glibc 2.36's, which is
// fdlibm's with its `expm1f`; plain float arithmetic, nothing fused), computed a vector at a time for
// the tanh activation.
//
// The algorithm (fdlibm, Sun Microsystems 1993, as in glibc's s_tanhf.c and s_expm1f.c), restated
// from its description and checked bit for bit against the library:
//   tanh x = 1 − 2/(expm1(2|x|) + 2) for 1 ≤ |x| < 22,  −t/(t + 2) with t = expm1(−2|x|) for |x| < 1,
//   ±1 beyond 22, x itself below 2^−55, with x's sign.
//   expm1 a: a = k·ln 2 + r (k = a/ln 2 rounded half away from zero; ln 2 in a high part exact against k
//   and a low part, r = hi − lo, c the rounding of r), then a rational approximation in r with the
//   correction c, scaled by 2^k — six ways, by k, to keep it exact near −1, 0 and for large k.
// `tanhNaive` is the reference, every case; `tanhVector` computes expm1 only on the arguments tanh
// gives it, (−2, −2^−54] and [2, 44), and sends a lane with ±∞ or NaN to `tanhNaive`.

/// ln 2 in two floats, fdlibm's: k·ln2Hi is exact for |k| < 2^8 (its low bits are zero), ln2Lo the rest.
let ln2Hi: Float = 6.9313812256e-01               // 0x3f317180
let ln2Lo: Float = 9.0580006145e-06               // 0x3717f7d1
private let invLn2: Float = 1.4426950216e+00      // 0x3fb8aa3b
private let q1: Float = -3.3333335072e-02         // 0xbd088889
private let q2: Float = 1.5873016091e-03          // 0x3ad00d01
private let q3: Float = -7.9365076090e-05         // 0xb8a670cd
private let q4: Float = 4.0082177293e-06          // 0x36867e54
private let q5: Float = -2.0109921195e-07         // 0xb457edbb
private let huge: Float = 1.0e30
private let tiny: Float = 1.0e-30

/// The float whose bits are `x`'s plus `k << 23`: x·2^k for a normal x that stays normal.
@inline(__always)
private func addingToExponent(_ x: Float, _ k: Int32) -> Float {
    Float(bitPattern: UInt32(bitPattern: Int32(bitPattern: x.bitPattern) &+ (k &<< 23)))
}

/// e^x − 1, one float at a time: glibc's (fdlibm's) `expm1f`, every case.
func expMinusOne(_ x: Float) -> Float {
    let hx = x.bitPattern & 0x7fff_ffff
    let negative = x.sign == .minus
    if hx >= 0x4195_b844 {                              // |x| ≥ 27 ln 2
        if hx >= 0x42b1_7218 {                          // |x| ≥ 88.72 or not finite
            if hx > 0x7f80_0000 { return x + x }        // NaN
            if hx == 0x7f80_0000 { return negative ? -1 : x }
            if x > 8.8721679688e+01 { return huge * huge }
        }
        if negative { return tiny - 1 }
    }
    var x = x
    var c: Float = 0
    let k: Int32
    if hx > 0x3eb1_7218 {                               // |x| > ln 2 / 2: reduce
        let hi: Float, lo: Float
        if hx < 0x3f85_1592 {                           // and < 1.5 ln 2: k = ±1
            if negative { hi = x + ln2Hi; lo = -ln2Lo; k = -1 } else { hi = x - ln2Hi; lo = ln2Lo; k = 1 }
        } else {
            k = Int32(invLn2 * x + (negative ? -0.5 : 0.5))
            let t = Float(k)
            hi = x - t * ln2Hi
            lo = t * ln2Lo
        }
        x = hi - lo
        c = (hi - x) - lo
    } else if hx < 0x3300_0000 {                        // |x| < 2^−25: x
        let t = huge + x
        return x - (t - (huge + x))
    } else {
        k = 0
    }
    let hfx = 0.5 * x
    let hxs = x * hfx
    let r1 = 1 + hxs * (q1 + hxs * (q2 + hxs * (q3 + hxs * (q4 + hxs * q5))))
    let t = 3 - r1 * hfx
    var e = hxs * ((r1 - t) / (6 - x * t))
    if k == 0 { return x - (x * e - hxs) }
    e = x * (e - c) - c
    e -= hxs
    if k == -1 { return 0.5 * (x - e) - 0.5 }
    if k == 1 { return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e) }
    if k <= -2 || k > 56 { return addingToExponent(1 - (e - x), k) - 1 }
    if k < 23 {
        let one = Float(bitPattern: UInt32(bitPattern: 0x3f80_0000 &- (0x100_0000 &>> k)))   // 1 − 2^−k
        return addingToExponent(one - (e - x), k)
    }
    let scale = Float(bitPattern: UInt32(bitPattern: (0x7f &- k) &<< 23))                    // 2^−k
    return addingToExponent(x - (e + scale) + 1, k)
}

/// tanh x, one float at a time: glibc's (fdlibm's) `tanhf`, the reference for `tanhVector`.
func tanhNaive(_ x: Float) -> Float {
    let ix = x.bitPattern & 0x7fff_ffff
    let negative = x.sign == .minus
    if ix >= 0x7f80_0000 { return negative ? 1 / x - 1 : 1 / x + 1 }   // ±1 for ±∞, NaN for NaN
    let z: Float
    if ix < 0x41b0_0000 {                                               // |x| < 22
        if ix == 0 { return x }
        if ix < 0x2400_0000 { return x * (1 + x) }                      // |x| < 2^−55
        if ix >= 0x3f80_0000 {                                          // |x| ≥ 1
            let t = expMinusOne(2 * abs(x))
            z = 1 - 2 / (t + 2)
        } else {
            let t = expMinusOne(-2 * abs(x))
            z = -t / (t + 2)
        }
    } else {
        z = 1 - tiny
    }
    return negative ? -z : z
}

/// tanh of every lane: `tanhNaive`'s arithmetic, all lanes at once.
///
/// (Integer lanes are compared with a vector, never a scalar: `ix .>= 0x3f80_0000` compiles to a loop
/// over the lanes, `ix .>= VecBits(repeating: 0x3f80_0000)` to one instruction.)
@inline(__always)
func tanhVector(_ x: Vec) -> Vec {
    let ix = x.bitPattern() & 0x7fff_ffff
    if ix.max() >= 0x7f80_0000 { return x.lanewise(tanhNaive) }                 // ±∞ or NaN in some lane
    let ax = Vec(bitPattern: ix)
    let large = ix .>= VecBits(repeating: 0x3f80_0000)
    // expm1's argument: 2|x| for 1 ≤ |x|, −2|x| below; held in [2, 44) and (−2, 0) for the lanes
    // that do not use it (|x| ≥ 22, |x| < 2^−55), so every lane's k stays small.
    var a = (ax * -2).replacing(with: ax + ax, where: large)
    let beyond22 = ix .>= VecBits(repeating: 0x41b0_0000)
    a = a.replacing(with: 2, where: beyond22)
    let t = expm1ForTanh(a)
    let q = (-t).replacing(with: 2, where: large) / (t + 2)                // one division for both forms
    let z = q.replacing(with: 1 - q, where: large).replacing(with: 1 - tiny, where: beyond22)
    let signed = Vec(bitPattern: z.bitPattern() ^ (x.bitPattern() & 0x8000_0000))
    return signed.replacing(with: x * (1 + x), where: ix .< VecBits(repeating: 0x2400_0000))   // and x itself for ±0
}

/// `expMinusOne` of every lane for arguments in (−2, 0) or [2, 44) — tanh's.
@inline(__always)
private func expm1ForTanh(_ a: Vec) -> Vec {
    let ha = a.bitPattern() & 0x7fff_ffff
    let negative = a .< 0
    let one = Vec(repeating: 1)
    // Reduction: k = ±1 between ln 2 / 2 and 1.5 ln 2 (negative a only here), 0 below, else rounded.
    let kMinusOne = negative .& (ha .> VecBits(repeating: 0x3eb1_7218)) .& (ha .< VecBits(repeating: 0x3f85_1592))
    let kZero = ha .<= VecBits(repeating: 0x3eb1_7218)
    let half = Vec(repeating: 0.5).replacing(with: -0.5, where: negative)
    // k = (int)(a/ln 2 ± 0.5), truncated; |k| < 64, so adding 1.5·2^23 puts it in the low bits exactly
    // (a conversion instruction by hand: `VecInts(_:rounding:)` is a generic call per vector).
    let kf = (invLn2 * a + half).rounded(.towardZero)
    var k = VecInts(truncatingIfNeeded: (kf + 0x1.8p23).bitPattern()) &- 0x4b40_0000
    let hi = (a - kf * ln2Hi).replacing(with: a + ln2Hi, where: kMinusOne)
    let lo = (kf * ln2Lo).replacing(with: -ln2Lo, where: kMinusOne)
    k = k.replacing(with: -1, where: kMinusOne).replacing(with: 0, where: kZero)
    var x = hi - lo
    let c = (hi - x) - lo
    x = x.replacing(with: a, where: kZero)
    // The approximation on the primary range.
    let hfx = 0.5 * x
    let hxs = x * hfx
    let r1 = one + hxs * (q1 + hxs * (q2 + hxs * (q3 + hxs * (q4 + hxs * q5))))
    let t = 3 - r1 * hfx
    let e0 = hxs * ((r1 - t) / (6 - x * t))
    let e = (x * (e0 - c) - c) - hxs
    // Scaled by 2^k, by case.
    let exponent = VecBits(truncatingIfNeeded: k &<< 23)
    func scaled(_ y: Vec) -> Vec { Vec(bitPattern: y.bitPattern() &+ exponent) }
    let farK = scaled(one - (e - x)) - one                                            // k ≤ −2 or k > 56
    let oneMinus = Vec(bitPattern: VecBits(truncatingIfNeeded: 0x3f80_0000 &- (0x100_0000 &>> k)))   // 1 − 2^−k
    let smallK = scaled(oneMinus - (e - x))                                           // 2 ≤ k < 23
    let twoToMinusK = Vec(bitPattern: VecBits(truncatingIfNeeded: (0x7f &- k) &<< 23))
    let largeK = scaled(x - (e + twoToMinusK) + one)                                  // 23 ≤ k ≤ 56
    var result = farK
    result = result.replacing(with: smallK, where: k .>= VecInts(repeating: 2) .& k .< VecInts(repeating: 23))
    result = result.replacing(with: largeK, where: k .>= VecInts(repeating: 23) .& k .<= VecInts(repeating: 56))
    result = result.replacing(with: 0.5 * (x - e) - 0.5, where: kMinusOne)
    result = result.replacing(with: x - (x * e0 - hxs), where: kZero)
    return result.replacing(with: a, where: ha .< VecBits(repeating: 0x3300_0000))   // |a| < 2^−25
}
