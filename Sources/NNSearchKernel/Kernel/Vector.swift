// The SIMD vector the kernel computes with, `Vec`: 16 floats on AVX-512 builds, 8 otherwise. Every
// feature dimension in the kernel is padded to a multiple of `Vec.scalarCount`, so inner loops run
// whole vectors and never need a scalar tail. With it, the same number of lanes as its floats' bit
// patterns (`VecBits`), as signed integers (`VecInts`), and as doubles (`DoubleVec`, `DoubleVecBits`:
// e^x is computed in Double).
#if NNSEARCH_AVX512
typealias Vec = SIMD16<Float>
typealias VecBits = SIMD16<UInt32>
typealias VecInts = SIMD16<Int32>
typealias DoubleVec = SIMD16<Double>
typealias DoubleVecBits = SIMD16<UInt64>
#else
typealias Vec = SIMD8<Float>
typealias VecBits = SIMD8<UInt32>
typealias VecInts = SIMD8<Int32>
typealias DoubleVec = SIMD8<Double>
typealias DoubleVecBits = SIMD8<UInt64>
#endif

/// Floats per vector.
let vecWidth = Vec.scalarCount

/// `n` rounded up to a whole number of vectors (n ≥ 0; the width is a power of two).
@inline(__always)
func padded(_ n: Int) -> Int { (n &+ (vecWidth &- 1)) & ~(vecWidth &- 1) }

extension Vec {
    /// Loads a vector from `p` (no alignment needed).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vec {
        UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
    }

    /// The vector whose lanes have these bit patterns.
    @inline(__always)
    init(bitPattern bits: VecBits) { self = unsafeBitCast(bits, to: Vec.self) }

    /// The lanes' bit patterns.
    @inline(__always)
    func bitPattern() -> VecBits { unsafeBitCast(self, to: VecBits.self) }

    /// `f` of each lane in turn: the one-float reference a vector function falls back to for the rare
    /// lanes outside its main path (e^x beyond ±88, ln x of 0 or a negative, NaN, ±∞). Not inlined,
    /// so that path adds nothing to its callers.
    @inline(never)
    func lanewise(_ f: (Float) -> Float) -> Vec {
        var out = Vec()
        for i in 0..<vecWidth { out[i] = f(self[i]) }
        return out
    }

    /// Stores the vector at `p` (no alignment needed).
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: Vec.self)
    }
}

/// The lanes' own indices, 0, 1, 2, …: a mask of the lanes from some point on is `laneIndices .>= n`.
@inline(__always)
var laneIndices: Vec {
    var v = Vec()
    for i in 0..<vecWidth { v[i] = Float(i) }
    return v
}

/// Loads a vector of any width (`SIMD8<Float>` in an AVX-512 build, say) from `p`, no alignment needed.
@inline(__always)
func loadFloats<V: SIMD>(_ p: UnsafePointer<Float>) -> V where V.Scalar == Float {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

/// Stores a vector of any width at `p`, no alignment needed.
@inline(__always)
func storeFloats<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
}

/// `acc + a * b`, fused into one instruction on FMA builds.
///
/// On the default x86-64 target `addingProduct` becomes one `fmaf` library call per lane,
/// so without FMA this is a separate multiply and add (which LLVM keeps apart: no contraction).
@inline(__always)
func fused(_ acc: Vec, _ a: Vec, _ b: Vec) -> Vec {
    #if NNSEARCH_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

/// Scalar counterpart of `fused`, so scalar and vector paths round the same way.
@inline(__always)
func fused(_ acc: Float, _ a: Float, _ b: Float) -> Float {
    #if NNSEARCH_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}
