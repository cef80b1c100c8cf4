// MARK: - Fast product with a transposed right-hand side

/// C[m×n] = A[m×k] · B[n×k]ᵀ: each element the dot product of a row of A with a row of B.
///
/// A and B are row-major with leading dimensions `lda`, `ldb`, and both rows are read as whole
/// vectors, so `k` must be a multiple of `vecWidth` (pad columns included: they must be zero or
/// the dot products include them). C is row-major with leading dimension `ldc`; columns `n...`
/// are not written. The input gradient of a layer is this with A = dout and B = the weight,
/// which spares transposing the weight every step.
///
/// Summation order, fixed for a build: per lane of a vector, an in-order chain of fused
/// multiply-adds over the k/vecWidth vectors of the row; AVX-512 builds then add lane l + 8 to
/// lane l; the eight lanes v₀…v₇ are summed as ((v₀+v₄)+(v₁+v₅)) + ((v₂+v₆)+(v₃+v₇)).
func matmulTransposed(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(k % vecWidth == 0, "matmulTransposed: k must be a multiple of the vector width")
    var i = 0
    while i + 2 <= m {  // two rows of A against four of B: 6 loads for 8 fused multiply-adds
        let a0 = a + i * lda, a1 = a0 + lda
        let c0 = c + i * ldc, c1 = c0 + ldc
        var j = 0
        while j + 4 <= n {
            let s = dot2x4(a0, a1, b + j * ldb, ldb, k)
            storeFloats(s.lowHalf, c0 + j)
            storeFloats(s.highHalf, c1 + j)
            j += 4
        }
        while j < n {
            c0[j] = dot1(a0, b + j * ldb, k)
            c1[j] = dot1(a1, b + j * ldb, k)
            j += 1
        }
        i += 2
    }
    if i < m {  // the last row of an odd m
        let ai = a + i * lda
        let ci = c + i * ldc
        var j = 0
        while j + 8 <= n {
            storeFloats(dot8(ai, b + j * ldb, ldb, k), ci + j)
            j += 8
        }
        while j < n {
            ci[j] = dot1(ai, b + j * ldb, k)
            j += 1
        }
    }
}

/// The dot products of two rows of A with four rows of B: lanes 0–3 row a0's, lanes 4–7 row a1's.
@inline(__always)
private func dot2x4(
    _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int, _ k: Int
) -> SIMD8<Float> {
    let b0 = b, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
    var x0 = Vec(), x1 = Vec(), x2 = Vec(), x3 = Vec(), x4 = Vec(), x5 = Vec(), x6 = Vec(), x7 = Vec()
    var p = 0
    while p < k {
        let s0 = Vec.load(a0 + p), s1 = Vec.load(a1 + p)
        let v0 = Vec.load(b0 + p), v1 = Vec.load(b1 + p), v2 = Vec.load(b2 + p), v3 = Vec.load(b3 + p)
        x0 = fused(x0, s0, v0); x1 = fused(x1, s0, v1); x2 = fused(x2, s0, v2); x3 = fused(x3, s0, v3)
        x4 = fused(x4, s1, v0); x5 = fused(x5, s1, v1); x6 = fused(x6, s1, v2); x7 = fused(x7, s1, v3)
        p += vecWidth
    }
    return sums(eightLanes(x0), eightLanes(x1), eightLanes(x2), eightLanes(x3),
                eightLanes(x4), eightLanes(x5), eightLanes(x6), eightLanes(x7))
}

/// The dot products of one row of A with eight rows of B (eight accumulators, one reduction).
@inline(__always)
private func dot8(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int, _ k: Int) -> SIMD8<Float> {
    let b0 = b, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, b4 = b3 + ldb, b5 = b4 + ldb, b6 = b5 + ldb, b7 = b6 + ldb
    var x0 = Vec(), x1 = Vec(), x2 = Vec(), x3 = Vec(), x4 = Vec(), x5 = Vec(), x6 = Vec(), x7 = Vec()
    var p = 0
    while p < k {
        let s = Vec.load(a + p)
        x0 = fused(x0, s, Vec.load(b0 + p)); x1 = fused(x1, s, Vec.load(b1 + p))
        x2 = fused(x2, s, Vec.load(b2 + p)); x3 = fused(x3, s, Vec.load(b3 + p))
        x4 = fused(x4, s, Vec.load(b4 + p)); x5 = fused(x5, s, Vec.load(b5 + p))
        x6 = fused(x6, s, Vec.load(b6 + p)); x7 = fused(x7, s, Vec.load(b7 + p))
        p += vecWidth
    }
    return sums(eightLanes(x0), eightLanes(x1), eightLanes(x2), eightLanes(x3),
                eightLanes(x4), eightLanes(x5), eightLanes(x6), eightLanes(x7))
}

/// The dot product of one row of A with one row of B (the columns left after blocks of eight;
/// the narrow layer's input gradient).
@inline(__always)
func dot1(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ k: Int) -> Float {
    var x = Vec()
    var p = 0
    while p < k {
        x = fused(x, Vec.load(a + p), Vec.load(b + p))
        p += vecWidth
    }
    return laneSum(x)
}

/// The sum of a vector's lanes in `dot1`'s order: a tree over eight lanes.
@inline(__always)
func laneSum(_ x: Vec) -> Float {
    let v = eightLanes(x)
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
}

/// `laneSum` across vectors: lane t of the result is the sum of lane t of v[0 ..< vecWidth], added in
/// the order `laneSum` adds a vector's lanes (`LockstepNet`'s input gradient, a trial per lane).
@inline(__always)
func treeSum(_ v: UnsafePointer<Vec>) -> Vec {
    #if NNSEARCH_AVX512
    // `eightLanes` first: lane l plus lane l + 8.
    let h0 = v[0] + v[8], h1 = v[1] + v[9], h2 = v[2] + v[10], h3 = v[3] + v[11]
    let h4 = v[4] + v[12], h5 = v[5] + v[13], h6 = v[6] + v[14], h7 = v[7] + v[15]
    return ((h0 + h4) + (h1 + h5)) + ((h2 + h6) + (h3 + h7))
    #else
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
    #endif
}

/// A vector folded to eight lanes: lane l + lane l + 8 on AVX-512 builds, itself otherwise.
@inline(__always)
private func eightLanes(_ v: Vec) -> SIMD8<Float> {
    #if NNSEARCH_AVX512
    return v.lowHalf + v.highHalf
    #else
    return v
    #endif
}

/// The lane sums of eight vectors, in the order `dot1` adds one: lane l of the result is x_l's sum.
@inline(__always)
private func sums(
    _ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>,
    _ x4: SIMD8<Float>, _ x5: SIMD8<Float>, _ x6: SIMD8<Float>, _ x7: SIMD8<Float>
) -> SIMD8<Float> {
    // Lanes 0–3 hold x_l's v_j + v_(j+4); lanes 4–7 the same of x_(l+4).
    let s04 = SIMD8(lowHalf: x0.lowHalf, highHalf: x4.lowHalf) + SIMD8(lowHalf: x0.highHalf, highHalf: x4.highHalf)
    let s15 = SIMD8(lowHalf: x1.lowHalf, highHalf: x5.lowHalf) + SIMD8(lowHalf: x1.highHalf, highHalf: x5.highHalf)
    let s26 = SIMD8(lowHalf: x2.lowHalf, highHalf: x6.lowHalf) + SIMD8(lowHalf: x2.highHalf, highHalf: x6.highHalf)
    let s37 = SIMD8(lowHalf: x3.lowHalf, highHalf: x7.lowHalf) + SIMD8(lowHalf: x3.highHalf, highHalf: x7.highHalf)
    return pairSums(pairSums(s04, s15), pairSums(s26, s37))
}

/// Sums of neighbouring lanes within each half: (x₀+x₁, x₂+x₃, y₀+y₁, y₂+y₃, x₄+x₅, x₆+x₇, y₄+y₅, y₆+y₇).
@inline(__always)
private func pairSums(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
    let even = SIMD8(x[0], x[2], y[0], y[2], x[4], x[6], y[4], y[6])
    let odd = SIMD8(x[1], x[3], y[1], y[3], x[5], x[7], y[5], y[7])
    return even + odd
}

// MARK: - Reference

/// The naive loops `matmulTransposed` is tested against: the same arguments and the same
/// summation order, one scalar at a time, so the two agree bit for bit.
func matmulTransposedNaive(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var lanes = [Float](repeating: 0, count: vecWidth)
            for p in 0..<k { lanes[p % vecWidth] = fused(lanes[p % vecWidth], a[i * lda + p], b[j * ldb + p]) }
            let v = (0..<8).map { vecWidth == 16 ? lanes[$0] + lanes[$0 + 8] : lanes[$0] }
            c[i * ldc + j] = ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
        }
    }
}
