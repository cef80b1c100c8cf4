// A matrix transpose: a layer's input gradient through the transposed weight (Linear.swift).
// src is (rows, lds) row-major; dst is (cols, ldd) row-major; dst[c][r] = src[r][c] for r < rows,
// c < cols, and nothing else of dst is written (its pad columns stay as they are).

/// dst[c][r] = src[r][c] for a rows×cols block (leading dimensions `lds`, `ldd`): 8×8 blocks in
/// registers, the rows and columns left over one float at a time. Exact: only moves.
func transpose(
    _ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int,
    into dst: UnsafeMutablePointer<Float>, ldd: Int
) {
    var r0 = 0
    while r0 + 8 <= rows {
        var c0 = 0
        while c0 + 8 <= cols {
            let s = src + r0 &* lds + c0
            var v: Block8 = (loadFloats(s), loadFloats(s + lds), loadFloats(s + 2 &* lds), loadFloats(s + 3 &* lds),
                             loadFloats(s + 4 &* lds), loadFloats(s + 5 &* lds), loadFloats(s + 6 &* lds),
                             loadFloats(s + 7 &* lds))
            evenOddSplit(&v); evenOddSplit(&v); evenOddSplit(&v)
            let d = dst + c0 &* ldd + r0
            storeFloats(v.0, d); storeFloats(v.1, d + ldd); storeFloats(v.2, d + 2 &* ldd); storeFloats(v.3, d + 3 &* ldd)
            storeFloats(v.4, d + 4 &* ldd); storeFloats(v.5, d + 5 &* ldd); storeFloats(v.6, d + 6 &* ldd); storeFloats(v.7, d + 7 &* ldd)
            c0 += 8
        }
        transposeNaive(src + r0 &* lds + c0, rows: 8, cols: cols - c0, lds: lds, into: dst + c0 &* ldd + r0, ldd: ldd)
        r0 += 8
    }
    transposeNaive(src + r0 &* lds, rows: rows - r0, cols: cols, lds: lds, into: dst + r0, ldd: ldd)
}

/// Eight rows of eight floats.
typealias Block8 = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                    SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

/// The 64 floats of `v`, in row-major order, split into the even-numbered ones followed by the odd:
/// element (r, c) — index 8r + c, six bits r₂r₁r₀c₂c₁c₀ — moves to the index rotated right by one
/// bit, so three splits move (r, c) to (c, r): a transpose.
@inline(__always)
private func evenOddSplit(_ v: inout Block8) {
    let (a, b, c, d, e, f, g, h) = v
    v = (SIMD8(lowHalf: a.evenHalf, highHalf: b.evenHalf), SIMD8(lowHalf: c.evenHalf, highHalf: d.evenHalf),
         SIMD8(lowHalf: e.evenHalf, highHalf: f.evenHalf), SIMD8(lowHalf: g.evenHalf, highHalf: h.evenHalf),
         SIMD8(lowHalf: a.oddHalf, highHalf: b.oddHalf), SIMD8(lowHalf: c.oddHalf, highHalf: d.oddHalf),
         SIMD8(lowHalf: e.oddHalf, highHalf: f.oddHalf), SIMD8(lowHalf: g.oddHalf, highHalf: h.oddHalf))
}

// MARK: - Reference

/// `transpose` one float at a time: its reference, and its edges.
func transposeNaive(
    _ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int,
    into dst: UnsafeMutablePointer<Float>, ldd: Int
) {
    for r in 0..<rows {
        for c in 0..<cols { dst[c &* ldd + r] = src[r &* lds + c] }
    }
}
