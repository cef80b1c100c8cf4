import Dispatch

/// The single-thread rate of the kernel's own GEMM on a large square, in GFLOP/s: the ceiling
/// `nnsearch bench --kernel` measures each layer shape against (issue 13's "≥ 70 % of SGEMM").
///
/// C[n×n] = A[n×n] · B[n×n] with `matmul`, the median of `repeats` timings; 2n³ flops each.
package func gemmRate(size n: Int = 512, repeats: Int = 5) -> Double {
    let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
    for i in 0..<(n * n) {
        a.pointer[i] = Float(i % 7) * 0.125 - 0.375
        b.pointer[i] = Float(i % 5) * 0.25 - 0.5
    }
    var times: [Double] = []
    for _ in 0..<(max(1, repeats) + 1) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        matmul(m: n, n: n, k: n, a: a.pointer, aRow: n, aCol: 1, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    times.removeFirst()   // the first run warms the caches and pages
    times.sort()
    return 2 * Double(n) * Double(n) * Double(n) / times[times.count / 2] / 1e9
}
