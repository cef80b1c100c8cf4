// MARK: - Fast matrix multiply

/// C[m×n] = (C or bias or 0) + A[m×k] · B[k×n], the one GEMM all layers use.
///
/// A's element (i, p) is at `a[i * aRow + p * aCol]`, so A can be a matrix or a transpose
/// (weight gradients pass Xᵀ with `aRow = 1`). B and C are row-major with leading
/// dimensions `ldb`, `ldc`; `n` must be a multiple of `vecWidth`. With `bias`, every row of C
/// starts from `bias[0..<n]`; with `accumulate`, from C's current values; otherwise from 0.
///
/// Register tiles (`tileRows` rows × 2 vectors, then smaller ones for the rows and the vector of
/// columns left over) walk the whole k range, so each element of C is one in-order chain of fused
/// multiply-adds over p = 0..<k, whichever tile computed it: the tiling never changes a result.
func matmul(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, aRow: Int, aCol: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    bias: UnsafePointer<Float>? = nil, accumulate: Bool = false
) {
    precondition(n % vecWidth == 0, "matmul: n must be a multiple of the vector width")
    let w = vecWidth
    var j = 0
    while j + 2 * w <= n {
        var i = 0
        while i + tileRows <= m {
            tile2(i, j, k, a, aRow, aCol, b, ldb, c, ldc, bias, accumulate)
            i += tileRows
        }
        #if !NNSEARCH_AVX512
        if i + 4 <= m {  // 6-row tiles leave up to 5 rows
            tile4x2(i, j, k, a, aRow, aCol, b, ldb, c, ldc, bias, accumulate)
            i += 4
        }
        #endif
        while i + 2 <= m {
            tile2x2(i, j, k, a, aRow, aCol, b, ldb, c, ldc, bias, accumulate)
            i += 2
        }
        if i < m {
            row2(i, j, k, a, aRow, aCol, b, ldb, c, ldc, bias, accumulate)
        }
        j += 2 * w
    }
    if j < n {  // one vector of columns left (all of them when n is one vector: outputs, width 8)
        var i = 0
        while i + 8 <= m {
            tile8x1(i, j, k, a, aRow, aCol, b, ldb, c, ldc, bias, accumulate)
            i += 8
        }
        while i < m {
            row1(i, j, k, a, aRow, aCol, b, ldb, c, ldc, bias, accumulate)
            i += 1
        }
    }
}

#if NNSEARCH_AVX512
/// Rows per register tile: 8 rows × 2 vectors = 16 accumulators of the 32 AVX-512 registers.
let tileRows = 8
#else
/// Rows per register tile: 6 rows × 2 vectors = 12 accumulators of the 16 AVX2 registers, enough
/// independent chains to keep both FMA units busy (8 would only just cover their latency).
let tileRows = 6
#endif

/// The starting value of one accumulator vector of C.
@inline(__always)
private func start(
    _ c: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?, _ accumulate: Bool, _ j: Int
) -> Vec {
    if let bias { return Vec.load(bias + j) }
    if accumulate { return Vec.load(c + j) }
    return Vec()
}

#if NNSEARCH_AVX512
/// An 8-row × 2-vector tile of C.
@inline(__always)
private func tile2(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let w = vecWidth
    let c0 = c + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
    let c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc
    let bj = bias.map { $0 + j }
    var x00 = start(c0, bj, accumulate, 0), x01 = start(c0, bj, accumulate, w)
    var x10 = start(c1, bj, accumulate, 0), x11 = start(c1, bj, accumulate, w)
    var x20 = start(c2, bj, accumulate, 0), x21 = start(c2, bj, accumulate, w)
    var x30 = start(c3, bj, accumulate, 0), x31 = start(c3, bj, accumulate, w)
    var x40 = start(c4, bj, accumulate, 0), x41 = start(c4, bj, accumulate, w)
    var x50 = start(c5, bj, accumulate, 0), x51 = start(c5, bj, accumulate, w)
    var x60 = start(c6, bj, accumulate, 0), x61 = start(c6, bj, accumulate, w)
    var x70 = start(c7, bj, accumulate, 0), x71 = start(c7, bj, accumulate, w)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        let b0 = Vec.load(bp), b1 = Vec.load(bp + w)
        var s = Vec(repeating: ap[0])
        x00 = fused(x00, s, b0); x01 = fused(x01, s, b1)
        s = Vec(repeating: ap[aRow])
        x10 = fused(x10, s, b0); x11 = fused(x11, s, b1)
        s = Vec(repeating: ap[2 * aRow])
        x20 = fused(x20, s, b0); x21 = fused(x21, s, b1)
        s = Vec(repeating: ap[3 * aRow])
        x30 = fused(x30, s, b0); x31 = fused(x31, s, b1)
        s = Vec(repeating: ap[4 * aRow])
        x40 = fused(x40, s, b0); x41 = fused(x41, s, b1)
        s = Vec(repeating: ap[5 * aRow])
        x50 = fused(x50, s, b0); x51 = fused(x51, s, b1)
        s = Vec(repeating: ap[6 * aRow])
        x60 = fused(x60, s, b0); x61 = fused(x61, s, b1)
        s = Vec(repeating: ap[7 * aRow])
        x70 = fused(x70, s, b0); x71 = fused(x71, s, b1)
        ap += aCol
        bp += ldb
    }
    x00.store(c0); x01.store(c0 + w); x10.store(c1); x11.store(c1 + w)
    x20.store(c2); x21.store(c2 + w); x30.store(c3); x31.store(c3 + w)
    x40.store(c4); x41.store(c4 + w); x50.store(c5); x51.store(c5 + w)
    x60.store(c6); x61.store(c6 + w); x70.store(c7); x71.store(c7 + w)
}
#else
/// A 6-row × 2-vector tile of C.
@inline(__always)
private func tile2(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let w = vecWidth
    let c0 = c + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc
    let bj = bias.map { $0 + j }
    var x00 = start(c0, bj, accumulate, 0), x01 = start(c0, bj, accumulate, w)
    var x10 = start(c1, bj, accumulate, 0), x11 = start(c1, bj, accumulate, w)
    var x20 = start(c2, bj, accumulate, 0), x21 = start(c2, bj, accumulate, w)
    var x30 = start(c3, bj, accumulate, 0), x31 = start(c3, bj, accumulate, w)
    var x40 = start(c4, bj, accumulate, 0), x41 = start(c4, bj, accumulate, w)
    var x50 = start(c5, bj, accumulate, 0), x51 = start(c5, bj, accumulate, w)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        let b0 = Vec.load(bp), b1 = Vec.load(bp + w)
        var s = Vec(repeating: ap[0])
        x00 = fused(x00, s, b0); x01 = fused(x01, s, b1)
        s = Vec(repeating: ap[aRow])
        x10 = fused(x10, s, b0); x11 = fused(x11, s, b1)
        s = Vec(repeating: ap[2 * aRow])
        x20 = fused(x20, s, b0); x21 = fused(x21, s, b1)
        s = Vec(repeating: ap[3 * aRow])
        x30 = fused(x30, s, b0); x31 = fused(x31, s, b1)
        s = Vec(repeating: ap[4 * aRow])
        x40 = fused(x40, s, b0); x41 = fused(x41, s, b1)
        s = Vec(repeating: ap[5 * aRow])
        x50 = fused(x50, s, b0); x51 = fused(x51, s, b1)
        ap += aCol
        bp += ldb
    }
    x00.store(c0); x01.store(c0 + w); x10.store(c1); x11.store(c1 + w)
    x20.store(c2); x21.store(c2 + w); x30.store(c3); x31.store(c3 + w)
    x40.store(c4); x41.store(c4 + w); x50.store(c5); x51.store(c5 + w)
}

/// A 4-row × 2-vector tile of C (what 6-row tiles leave).
@inline(__always)
private func tile4x2(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let w = vecWidth
    let c0 = c + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
    let bj = bias.map { $0 + j }
    var x00 = start(c0, bj, accumulate, 0), x01 = start(c0, bj, accumulate, w)
    var x10 = start(c1, bj, accumulate, 0), x11 = start(c1, bj, accumulate, w)
    var x20 = start(c2, bj, accumulate, 0), x21 = start(c2, bj, accumulate, w)
    var x30 = start(c3, bj, accumulate, 0), x31 = start(c3, bj, accumulate, w)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        let b0 = Vec.load(bp), b1 = Vec.load(bp + w)
        var s = Vec(repeating: ap[0])
        x00 = fused(x00, s, b0); x01 = fused(x01, s, b1)
        s = Vec(repeating: ap[aRow])
        x10 = fused(x10, s, b0); x11 = fused(x11, s, b1)
        s = Vec(repeating: ap[2 * aRow])
        x20 = fused(x20, s, b0); x21 = fused(x21, s, b1)
        s = Vec(repeating: ap[3 * aRow])
        x30 = fused(x30, s, b0); x31 = fused(x31, s, b1)
        ap += aCol
        bp += ldb
    }
    x00.store(c0); x01.store(c0 + w); x10.store(c1); x11.store(c1 + w)
    x20.store(c2); x21.store(c2 + w); x30.store(c3); x31.store(c3 + w)
}
#endif

/// A 2-row × 2-vector tile of C.
@inline(__always)
private func tile2x2(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let w = vecWidth
    let c0 = c + i * ldc + j, c1 = c0 + ldc
    let bj = bias.map { $0 + j }
    var x00 = start(c0, bj, accumulate, 0), x01 = start(c0, bj, accumulate, w)
    var x10 = start(c1, bj, accumulate, 0), x11 = start(c1, bj, accumulate, w)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        let b0 = Vec.load(bp), b1 = Vec.load(bp + w)
        let s0 = Vec(repeating: ap[0]), s1 = Vec(repeating: ap[aRow])
        x00 = fused(x00, s0, b0); x01 = fused(x01, s0, b1)
        x10 = fused(x10, s1, b0); x11 = fused(x11, s1, b1)
        ap += aCol
        bp += ldb
    }
    x00.store(c0); x01.store(c0 + w); x10.store(c1); x11.store(c1 + w)
}

/// An 8-row × 1-vector tile of C: eight independent chains where a row at a time has one.
@inline(__always)
private func tile8x1(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let c0 = c + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
    let c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc
    let bj = bias.map { $0 + j }
    var x0 = start(c0, bj, accumulate, 0), x1 = start(c1, bj, accumulate, 0)
    var x2 = start(c2, bj, accumulate, 0), x3 = start(c3, bj, accumulate, 0)
    var x4 = start(c4, bj, accumulate, 0), x5 = start(c5, bj, accumulate, 0)
    var x6 = start(c6, bj, accumulate, 0), x7 = start(c7, bj, accumulate, 0)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        let b0 = Vec.load(bp)
        x0 = fused(x0, Vec(repeating: ap[0]), b0)
        x1 = fused(x1, Vec(repeating: ap[aRow]), b0)
        x2 = fused(x2, Vec(repeating: ap[2 * aRow]), b0)
        x3 = fused(x3, Vec(repeating: ap[3 * aRow]), b0)
        x4 = fused(x4, Vec(repeating: ap[4 * aRow]), b0)
        x5 = fused(x5, Vec(repeating: ap[5 * aRow]), b0)
        x6 = fused(x6, Vec(repeating: ap[6 * aRow]), b0)
        x7 = fused(x7, Vec(repeating: ap[7 * aRow]), b0)
        ap += aCol
        bp += ldb
    }
    x0.store(c0); x1.store(c1); x2.store(c2); x3.store(c3)
    x4.store(c4); x5.store(c5); x6.store(c6); x7.store(c7)
}

/// One row × 2 vectors of C (the rows left over after whole tiles).
@inline(__always)
private func row2(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let w = vecWidth
    let c0 = c + i * ldc + j
    let bj = bias.map { $0 + j }
    var x0 = start(c0, bj, accumulate, 0), x1 = start(c0, bj, accumulate, w)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        let s = Vec(repeating: ap[0])
        x0 = fused(x0, s, Vec.load(bp)); x1 = fused(x1, s, Vec.load(bp + w))
        ap += aCol
        bp += ldb
    }
    x0.store(c0); x1.store(c0 + w)
}

/// One row × 1 vector of C (the last vector of columns when n/vecWidth is odd).
@inline(__always)
private func row1(
    _ i: Int, _ j: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ bias: UnsafePointer<Float>?, _ accumulate: Bool
) {
    let c0 = c + i * ldc + j
    var x0 = start(c0, bias.map { $0 + j }, accumulate, 0)
    var ap = a + i * aRow
    var bp = b + j
    for _ in 0..<k {
        x0 = fused(x0, Vec(repeating: ap[0]), Vec.load(bp))
        ap += aCol
        bp += ldb
    }
    x0.store(c0)
}

// MARK: - Reference

/// The naive triple loop `matmul` is tested against (same arguments, same meaning; any n).
func matmulNaive(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, aRow: Int, aCol: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    bias: UnsafePointer<Float>? = nil, accumulate: Bool = false
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = bias?[j] ?? (accumulate ? c[i * ldc + j] : 0)
            for p in 0..<k { sum += a[i * aRow + p * aCol] * b[p * ldb + j] }
            c[i * ldc + j] = sum
        }
    }
}
