import Foundation

/// Times `matmul` on one shape and returns GFLOP/s (median of `repeats`).
func benchMatmul(m: Int, n: Int, k: Int, transposedA: Bool = false, repeats: Int = 21) -> Double {
    let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    var rng = Random(seed: 1)
    for i in 0..<(m * k) { a[i] = rng.nextFloat() - 0.5 }
    for i in 0..<(k * n) { b[i] = rng.nextFloat() - 0.5 }
    var times = [Double]()
    let inner = max(1, Int(2e8 / Double(2 * m * n * k)))
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<inner {
            if transposedA {
                matmul(m: m, n: n, k: k, a: a, aRow: 1, aCol: m, b: b, ldb: n, c: c, ldc: n)
            } else {
                matmul(m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: c, ldc: n)
            }
        }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(inner))
    }
    times.sort()
    return Double(2 * m * n * k) / times[times.count / 2]
}
