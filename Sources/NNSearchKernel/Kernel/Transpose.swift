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
            var v = (load8(s), load8(s + lds), load8(s + 2 &* lds), load8(s + 3 &* lds),
                     load8(s + 4 &* lds), load8(s + 5 &* lds), load8(s + 6 &* lds), load8(s + 7 &* lds))
            evenOddSplit(&v); evenOddSplit(&v); evenOddSplit(&v)
            let d = dst + c0 &* ldd + r0
            store8(v.0, d); store8(v.1, d + ldd); store8(v.2, d + 2 &* ldd); store8(v.3, d + 3 &* ldd)
            store8(v.4, d + 4 &* ldd); store8(v.5, d + 5 &* ldd); store8(v.6, d + 6 &* ldd); store8(v.7, d + 7 &* ldd)
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

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

@inline(__always)
private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
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
