// e^x for Float, owned by the kernel: the same bits as glibc's `expf` on an x86-64 CPU with FMA and
// AVX2 (where glibc 2.27 and later select `__expf_fma`), computed a vector at a time.
//
// The algorithm is glibc's (from Arm's optimized-routines, Szabolcs Nagy, 2017), restated here from
// its description and checked bit for bit against the library: with N = 32,
// x·N/ln 2 = k + r (k an integer, |r| ≤ 1/2), e^x = 2^(k/N) · 2^(r/N); 2^(k/N) is a table entry for
// k mod N with k div N added to its exponent, and 2^(r/N) a cubic in r, all in Double:
//   kd = fma(N/ln2, x, shift)   (shift = 1.5·2^52 rounds k into kd's low bits; ki = kd's bits)
//   r  = fma(N/ln2, x, −(kd − shift))
//   s  = Double(bits: T[ki mod N] + ki << (52 − 5))
//   y  = fma(fma(C0, r, C1), r·r, fma(C2, r, 1)) · s,   e^x = Float(y)
// Which operations are fused decides the last bit; the order above is `__expf_fma`'s (read from its
// machine code). Owning it makes a trial's result independent of the host's C library, and the
// vector form lets softmax, sigmoid and SELU take one `exp` per vector instead of a call per float.
//
// Inputs with |x| ≥ 88, infinities and NaN take glibc's special cases (`expNaive`): a vector with such a
// lane goes lane by lane (slower; it happens in diverged trials).

/// N/ln 2 for N = 32 table entries.
private let expInvLn2N: Double = 0x1.71547652b82fep+5
/// 1.5·2^52: adding it rounds to an integer held in the low bits of the sum.
private let expShift: Double = 0x1.8p+52
/// The cubic for 2^(r/N): C0·r³ + C1·r² + C2·r + 1.
private let expC0: Double = 0x1.c6af84b912394p-20
private let expC1: Double = 0x1.ebfce50fac4f3p-13
private let expC2: Double = 0x1.62e42ff0c52d6p-6

/// The bits of 2^(i/32) minus i·2^47 (the part of k/N's exponent that `ki << 47` adds back), i in 0..<32.
let expTable: [UInt64] = [
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
]

/// Below 88 in magnitude (the top 12 bits of |x| under 88's): the main path holds.
private let expRegularTop: UInt32 = 0x42b

/// e^x, one float at a time: the reference `expVector` is checked against, and the special cases.
///
/// Special cases as glibc's: e^−∞ = 0, NaN and +∞ return x + x, x > 0x1.62e42ep6 overflows to +∞,
/// x < −0x1.9fe368p6 gives 0, x < −0x1.9d1d9ep6 the least subnormal (e^x lies between it and half of it).
func expNaive(_ x: Float) -> Float {
    let top = (x.bitPattern >> 20) & 0x7ff
    if top >= expRegularTop {
        if x == -.infinity { return 0 }
        if top >= 0x7f8 { return x + x }
        if x > 0x1.62e42ep6 { return .infinity }
        if x < -0x1.9fe368p6 { return 0 }
        if x < -0x1.9d1d9ep6 { return .leastNonzeroMagnitude }
    }
    let xd = Double(x)
    let kd = expShift.addingProduct(expInvLn2N, xd)
    let ki = kd.bitPattern
    let k = kd - expShift
    let r = (-k).addingProduct(expInvLn2N, xd)
    let s = Double(bitPattern: expTable[Int(ki & 31)] &+ (ki << 47))
    let z = expC1.addingProduct(expC0, r)
    let y = Double(1).addingProduct(expC2, r).addingProduct(z, r * r)
    return Float(y * s)
}

/// e^x for every lane of a vector: `expNaive`'s arithmetic, all lanes at once.
@inline(__always)
func expVector(_ x: Vec) -> Vec {
    // |x| ≥ 88, ±∞ or NaN in some lane: glibc's special cases, lane by lane (rare).
    if (x.bitPattern() & 0x7fff_ffff).max() >= expRegularTop << 20 { return x.lanewise(expNaive) }
    var xd = DoubleVec()
    for i in 0..<DoubleVec.scalarCount { xd[i] = Double(x[i]) }  // `DoubleVec(x)` is a call
    let invLn2N = DoubleVec(repeating: expInvLn2N), shift = DoubleVec(repeating: expShift)
    let kd = shift.addingProduct(invLn2N, xd)
    let ki = unsafeBitCast(kd, to: DoubleVecBits.self)
    let r = (shift - kd).addingProduct(invLn2N, xd)
    var t = DoubleVecBits()
    expTable.withUnsafeBufferPointer { table in
        for i in 0..<DoubleVec.scalarCount { t[i] = table[Int(truncatingIfNeeded: ki[i] & 31)] }
    }
    let s = unsafeBitCast(t &+ (ki &<< 47), to: DoubleVec.self)
    let z = DoubleVec(repeating: expC1).addingProduct(DoubleVec(repeating: expC0), r)
    let y = DoubleVec(repeating: 1).addingProduct(DoubleVec(repeating: expC2), r).addingProduct(z, r * r)
    let wide = y * s
    var out = Vec()
    for i in 0..<Vec.scalarCount { out[i] = Float(wide[i]) }
    return out
}

