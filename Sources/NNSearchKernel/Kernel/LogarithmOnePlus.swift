// ln(1 + x) for Float: the same bits as glibc 2.36's `log1pf`, fdlibm's (Sun Microsystems 1993;
// plain float arithmetic, nothing fused), restated from its description and checked bit for bit
// against the library. 1 + x = 2^k · (1 + f) with √2/2 ≤ 1 + f < √2 (and c the rounding error of
// 1 + x when k ≠ 0); ln(1 + f) = 2s + 2s·R(s²) with s = f/(2 + f), written as f − (f²/2 − s(f²/2 + R));
// then + k·ln 2 in a high and a low part.

private let lp1: Float = 6.6666668653e-01            // 0x3f2aaaab
private let lp2: Float = 4.0000000596e-01            // 0x3ecccccd
private let lp3: Float = 2.8571429849e-01            // 0x3e924925
private let lp4: Float = 2.2222198546e-01            // 0x3e638e29
private let lp5: Float = 1.8183572590e-01            // 0x3e3a3325
private let lp6: Float = 1.5313838422e-01            // 0x3e1cd04f
private let lp7: Float = 1.4798198640e-01            // 0x3e178897

/// ln(1 + x), one float at a time (binary cross-entropy takes one per row): glibc's `log1pf`, every case.
func logarithmOnePlus(_ x: Float) -> Float {
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
        if f == 0 { return k == 0 ? 0 : kf * ln2Hi + (c + kf * ln2Lo) }
        let r = hfsq * (1 - lp1 * f)
        return k == 0 ? f - r : kf * ln2Hi - ((r - (kf * ln2Lo + c)) - f)
    }
    let s = f / (2 + f)
    let z = s * s
    let r = z * (lp1 + z * (lp2 + z * (lp3 + z * (lp4 + z * (lp5 + z * (lp6 + z * lp7))))))
    if k == 0 { return f - (hfsq - s * (hfsq + r)) }
    return kf * ln2Hi - ((hfsq - (s * (hfsq + r) + (kf * ln2Lo + c))) - f)
}
