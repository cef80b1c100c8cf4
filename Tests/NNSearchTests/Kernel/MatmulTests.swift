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

    func testTranspose() {
        let rows = 5, cols = 19, lds = 32, ldd = 16
        let src = (0..<(rows * lds)).map(Float.init)
        var dst = [Float](repeating: -1, count: cols * ldd)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                transpose(s.baseAddress!, rows: rows, cols: cols, lds: lds, into: d.baseAddress!, ldd: ldd)
            }
        }
        for r in 0..<rows { for c in 0..<cols { XCTAssertEqual(dst[c * ldd + r], src[r * lds + c]) } }
        XCTAssertEqual(dst[rows], -1, "columns past `rows` are left alone")
    }
}

final class VectorTests: XCTestCase {
    /// The Newton square root is within 1 ulp of the correctly rounded one across magnitudes.
    func testVectorSquareRootIsAccurate() {
        var rng = Random(seed: 3)
        for _ in 0..<2000 {
            var lanes = Vec()
            for l in 0..<vecWidth { lanes[l] = Float(pow(10, rng.nextDouble() * 40 - 30)) * rng.nextFloat() }
            let root = lanes.vectorSquareRoot()
            for l in 0..<vecWidth {
                let exact = lanes[l].squareRoot()
                XCTAssertLessThanOrEqual(abs(root[l] - exact), exact.ulp, "√\(lanes[l])")
            }
        }
        XCTAssertEqual(Vec().vectorSquareRoot(), Vec(), "√0 = 0")
    }
}

