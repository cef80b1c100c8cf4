import XCTest
@testable import NNSearchKernel

final class MatmulTests: XCTestCase {
    /// Fast and naive matmul agree within the error bound of a k-term dot product.
    func testMatchesNaiveWithinDotProductBound() {
        var rng = Random(seed: 7)
        let shapes = [(1, 16, 1), (3, 16, 2), (8, 32, 5), (13, 48, 17), (32, 64, 64), (9, 80, 100), (40, 144, 33)]
        for (m, n0, k) in shapes {
            let n = padded(n0)
            for transposed in [false, true] {
                for mode in 0..<3 {
                    let a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 - 1 }
                    let b = (0..<(k * n)).map { _ in rng.nextFloat() * 2 - 1 }
                    let bias = (0..<n).map { _ in rng.nextFloat() * 2 - 1 }
                    let c0 = (0..<(m * n)).map { _ in rng.nextFloat() * 2 - 1 }
                    var fast = c0, slow = c0
                    let (aRow, aCol) = transposed ? (1, m) : (k, 1)
                    run(fast: true, m, n, k, a, aRow, aCol, b, bias, mode, &fast)
                    run(fast: false, m, n, k, a, aRow, aCol, b, bias, mode, &slow)
                    // Each element is a k-term sum of products of numbers in [-1, 1] plus a start
                    // value in [-1, 1]: both results are within (k+1)·u·(k+1) of the exact sum,
                    // where u = 2^-24, so they differ by at most twice that.
                    let bound = 2 * Float(k + 1) * Float(k + 1) * Float.ulpOfOne / 2
                    for i in 0..<(m * n) {
                        let err = abs(fast[i] - slow[i])
                        if err > bound {
                            XCTFail("m=\(m) n=\(n) k=\(k) transposed=\(transposed) mode=\(mode) [\(i)]: fast \(fast[i]) naive \(slow[i]) error \(err) > bound \(bound)")
                            return
                        }
                    }
                }
            }
        }
    }

    private func run(fast: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ aRow: Int, _ aCol: Int,
                     _ b: [Float], _ bias: [Float], _ mode: Int, _ c: inout [Float]) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    c.withUnsafeMutableBufferPointer { c in
                        let biasPointer = mode == 1 ? bias.baseAddress! : nil
                        if fast {
                            matmul(m: m, n: n, k: k, a: a.baseAddress!, aRow: aRow, aCol: aCol, b: b.baseAddress!, ldb: n,
                                   c: c.baseAddress!, ldc: n, bias: biasPointer, accumulate: mode == 2)
                        } else {
                            matmulNaive(m: m, n: n, k: k, a: a.baseAddress!, aRow: aRow, aCol: aCol, b: b.baseAddress!, ldb: n,
                                        c: c.baseAddress!, ldc: n, bias: biasPointer, accumulate: mode == 2)
                        }
                    }
                }
            }
        }
    }

    /// The 8×8-block transpose moves every element where its reference does, for blocks and edges
    /// (rows and columns short of, equal to and past multiples of 8), and writes nothing else.
    func testTransposeMatchesNaiveAndWritesNothingElse() {
        for (rows, cols) in [(5, 19), (8, 8), (16, 24), (17, 9), (9, 17), (32, 3), (3, 32), (130, 67), (1, 1)] {
            let lds = cols + 5, ldd = rows + 3
            let src = (0..<(rows * lds)).map { Float($0) * 0.5 - 7 }
            var fast = [Float](repeating: -1, count: cols * ldd), slow = fast
            src.withUnsafeBufferPointer { s in
                fast.withUnsafeMutableBufferPointer { d in
                    transpose(s.baseAddress!, rows: rows, cols: cols, lds: lds, into: d.baseAddress!, ldd: ldd)
                }
                slow.withUnsafeMutableBufferPointer { d in
                    transposeNaive(s.baseAddress!, rows: rows, cols: cols, lds: lds, into: d.baseAddress!, ldd: ldd)
                }
            }
            XCTAssertEqual(fast, slow, "\(rows)×\(cols)")
            for c in 0..<cols {
                for r in 0..<ldd {
                    let expected: Float = r < rows ? src[r * lds + c] : -1  // columns past `rows` are left alone
                    if fast[c * ldd + r] != expected { XCTFail("\(rows)×\(cols): [\(c)][\(r)]"); return }
                }
            }
        }
    }
}

final class MatmulTilingTests: XCTestCase {
    /// Every tile (6, 4 and 2 rows × 2 vectors, 8 rows × 1 vector, single rows) gives each element
    /// of C the same in-order chain of fused multiply-adds: bit-identical to one element at a time.
    func testEveryTileIsTheInOrderChain() {
        var rng = Random(seed: 11)
        for m in 1...20 {
            for n in [1, 2, 3, 5].map({ $0 * vecWidth }) {
                let k = 1 + m % 7 * 5
                let a = (0..<(m * k)).map { _ in rng.nextFloat() * 2 - 1 }
                let b = (0..<(k * n)).map { _ in rng.nextFloat() * 2 - 1 }
                let bias = (0..<n).map { _ in rng.nextFloat() * 2 - 1 }
                var c = [Float](repeating: 0, count: m * n)
                a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in bias.withUnsafeBufferPointer { bias in
                    c.withUnsafeMutableBufferPointer { c in
                        matmul(m: m, n: n, k: k, a: a.baseAddress!, aRow: k, aCol: 1, b: b.baseAddress!, ldb: n,
                               c: c.baseAddress!, ldc: n, bias: bias.baseAddress!)
                    }
                } } }
                for i in 0..<m {
                    for j in 0..<n {
                        var chain = bias[j]
                        for p in 0..<k { chain = fused(chain, a[i * k + p], b[p * n + j]) }
                        if c[i * n + j].bitPattern != chain.bitPattern {
                            XCTFail("m=\(m) n=\(n) k=\(k) [\(i)][\(j)]: \(c[i * n + j]) != chain \(chain)")
                            return
                        }
                    }
                }
            }
        }
    }
}

final class MatmulTransposedTests: XCTestCase {
    /// The fast kernel equals its naive reference bit for bit (same summation order) for blocks of
    /// eight columns and the columns after them, and both are within a dot product's error bound.
    func testMatchesNaiveBitForBitAndTheExactSum() {
        var rng = Random(seed: 5)
        let shapes = [(1, 1, 1), (3, 7, 1), (2, 8, 2), (5, 9, 3), (16, 19, 16), (4, 130, 4), (9, 64, 17)]
        for (m, n, kVectors) in shapes {
            let k = kVectors * vecWidth
            let lda = k + vecWidth, ldb = k, ldc = n + 3
            let a = (0..<(m * lda)).map { _ in rng.nextFloat() * 2 - 1 }
            let b = (0..<(n * ldb)).map { _ in rng.nextFloat() * 2 - 1 }
            var fast = [Float](repeating: -7, count: m * ldc), slow = fast
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { c in
                    matmulTransposed(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                                     c: c.baseAddress!, ldc: ldc)
                }
                slow.withUnsafeMutableBufferPointer { c in
                    matmulTransposedNaive(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                                          c: c.baseAddress!, ldc: ldc)
                }
            } }
            let bound = 2 * Float(k) * Float(k) * Float.ulpOfOne / 2
            for i in 0..<m {
                for j in 0..<ldc {
                    let x = fast[i * ldc + j]
                    if j >= n { XCTAssertEqual(x, -7, "column \(j) past n is not written"); continue }
                    XCTAssertEqual(x.bitPattern, slow[i * ldc + j].bitPattern, "m=\(m) n=\(n) k=\(k) [\(i)][\(j)]")
                    var exact = 0.0
                    for p in 0..<k { exact += Double(a[i * lda + p]) * Double(b[j * ldb + p]) }
                    XCTAssertLessThanOrEqual(abs(Double(x) - exact), Double(bound), "m=\(m) n=\(n) k=\(k) [\(i)][\(j)]")
                }
            }
        }
    }

    /// `treeSum` adds lane t of vecWidth vectors exactly as `laneSum` adds the lanes of one vector, bit for
    /// bit (values of mixed magnitudes and signs, so that another order would round otherwise).
    func testTreeSumAddsEachLaneAsLaneSumAddsAVector() {
        var rng = Random(seed: 9)
        for _ in 0..<200 {
            let v = (0..<vecWidth).map { _ in
                var x = Vec()
                for t in 0..<vecWidth { x[t] = (rng.nextFloat() - 0.5) * Float(1 << rng.next(below: 24)) }
                return x
            }
            let sums = v.withUnsafeBufferPointer { treeSum($0.baseAddress!) }
            for t in 0..<vecWidth {
                var column = Vec()
                for j in 0..<vecWidth { column[j] = v[j][t] }
                XCTAssertEqual(sums[t].bitPattern, laneSum(column).bitPattern, "lane \(t)")
            }
        }
    }
}
