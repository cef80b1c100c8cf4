import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import NNSearchKernel

/// The kernel's own e^x, ln x, ln(1 + x) and tanh x: the vector forms against the one-float forms lane by
/// lane, those against the host's `expf`/`logf`/`log1pf`/`tanhf` where that is the glibc code they reproduce (the bits every
/// earlier result was computed with), and the loss and activations that use them against their
/// one-float forms. `Tests/libm/exhaustive.sh` checks all 2^32 floats (a release build, a few minutes).
final class ElementaryFunctionTests: XCTestCase {
    /// Floats to try: every `stride`-th bit pattern (all signs and exponents), the edges of the
    /// special cases, and values the kernel meets (softmax's z − max ≤ 0, 0, −0, subnormals).
    private func samples(stride: UInt32) -> [Float] {
        var xs: [Float] = []
        var bits: UInt32 = 0
        while true {
            xs.append(Float(bitPattern: bits))
            let (next, overflow) = bits.addingReportingOverflow(stride)
            if overflow { break }
            bits = next
        }
        let edges: [Float] = [0x1.62e42ep6, -0x1.9fe368p6, -0x1.9d1d9ep6, 88, -88, 1, -1, 0, -0,
                              .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for edge in edges {
            xs.append(edge)
            var up = edge, down = edge
            for _ in 0..<64 { up = up.nextUp; down = down.nextDown; xs += [up, down] }
        }
        for i in 0..<20_000 { xs.append(-Float(i) / 1_000) }
        // The only floats whose e^x changes when r = x·N/ln 2 − k is rounded before the subtraction instead
        // of fused (found by running Tests/libm/exhaustive.sh on that change; no other fusion changes any).
        xs += [Float(bitPattern: 0x4202_422f), Float(bitPattern: 0xc27c_65d9)]
        return xs
    }

    private func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    func testVectorMatchesTheOneFloatFormInEveryLane() {
        let xs = samples(stride: 4_093)
        for start in stride(from: 0, to: xs.count, by: vecWidth - 3) {  // each float in several lanes
            var v = Vec()
            for i in 0..<vecWidth { v[i] = xs[(start + i) % xs.count] }
            let e = expVector(v)
            for i in 0..<vecWidth where !same(e[i], expNaive(v[i])) {
                XCTFail("expVector lane \(i) of \(v[i]) (\(String(v[i].bitPattern, radix: 16))): \(e[i]), expNaive \(expNaive(v[i]))")
                return
            }
        }
    }

    func testTanhVectorMatchesTheOneFloatFormInEveryLane() {
        let xs = samples(stride: 4_093) + [22, -22, 1, -1, 0x1p-55, -0x1p-55, 0.3465736, 0.5198604, 9.3553, 28]
        for start in stride(from: 0, to: xs.count, by: vecWidth - 3) {
            var v = Vec()
            for i in 0..<vecWidth { v[i] = xs[(start + i) % xs.count] }
            let t = tanhVector(v)
            for i in 0..<vecWidth where !same(t[i], tanhNaive(v[i])) {
                return XCTFail("tanhVector lane \(i) of \(v[i]) (\(String(v[i].bitPattern, radix: 16))): \(t[i]), tanhNaive \(tanhNaive(v[i]))")
            }
        }
    }

    /// tanh and e^x − 1 of ordinary values agree with Double's to within a few float roundings.
    func testTanhAccuracyAgainstDouble() {
        for x in samples(stride: 65_521) where x.isFinite {
            let t = Double(tanhNaive(x)), exact = Foundation.tanh(Double(x))
            XCTAssertLessThanOrEqual(abs(t - exact), max(abs(exact) * 0x1p-22, 0x1p-149), "tanh \(x)")
            if x > -80 && x < 80 {
                let m = Double(expm1Naive(x)), exactM = Foundation.expm1(Double(x))
                XCTAssertLessThanOrEqual(abs(m - exactM), max(abs(exactM) * 0x1p-22, 0x1p-149), "expm1 \(x)")
            }
        }
        XCTAssertEqual(tanhNaive(.infinity), 1)
        XCTAssertEqual(tanhNaive(-.infinity), -1)
        XCTAssertTrue(tanhNaive(.nan).isNaN)
        XCTAssertEqual(tanhNaive(-0).bitPattern, Float(-0).bitPattern)
        XCTAssertEqual(expm1Naive(-.infinity), -1)
    }

    /// glibc 2.36's `tanhf` and `log1pf` are fdlibm's, which `tanhNaive` and `log1pNaive` reproduce;
    /// later releases may replace them.
    func testMatchesGlibcTanhfAndLog1pf() throws {
        try hostHasGlibcFMA()
        #if canImport(Glibc)
        typealias VersionFunction = @convention(c) () -> UnsafePointer<CChar>
        let symbol = dlsym(dlopen(nil, RTLD_NOW), "gnu_get_libc_version")!
        let version = String(cString: unsafeBitCast(symbol, to: VersionFunction.self)())
        guard version == "2.36" else {
            throw XCTSkip("SKIPPED: glibc \(version)'s tanhf and log1pf are not known to be 2.36's (fdlibm's), which the kernel reproduces")
        }
        #endif
        for x in samples(stride: 4_093) {
            if !same(tanhNaive(x), Foundation.tanh(x)) {
                return XCTFail("tanhNaive(\(x)) = \(tanhNaive(x)), glibc tanhf \(Foundation.tanh(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
            if !same(log1pNaive(x), Foundation.log1p(x)) {
                return XCTFail("log1pNaive(\(x)) = \(log1pNaive(x)), glibc log1pf \(Foundation.log1p(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
        }
    }

    /// The host's C library is glibc with `__expf_fma`/`__logf_fma` (glibc ≥ 2.27 on a CPU with FMA):
    /// otherwise there is nothing the same bits can be asked of.
    private func hostHasGlibcFMA() throws {
        #if canImport(Glibc)
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard flags.contains(" fma ") else {
            throw XCTSkip("SKIPPED: this CPU has no FMA, so glibc's expf/logf are its generic code, not the FMA code the kernel reproduces")
        }
        typealias VersionFunction = @convention(c) () -> UnsafePointer<CChar>
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "gnu_get_libc_version") else {
            throw XCTSkip("SKIPPED: the C library is not glibc (no gnu_get_libc_version); the kernel reproduces glibc's expf/logf")
        }
        let version = String(cString: unsafeBitCast(symbol, to: VersionFunction.self)()).split(separator: ".").compactMap { Int($0) }
        guard version.count >= 2, (version[0], version[1]) >= (2, 27) else {
            throw XCTSkip("SKIPPED: glibc \(version) predates the expf/logf (2.27) the kernel reproduces")
        }
        #else
        throw XCTSkip("SKIPPED: the host's libm is not glibc; the kernel reproduces glibc's expf/logf")
        #endif
    }

    func testMatchesGlibcExpfAndLogf() throws {
        try hostHasGlibcFMA()
        for x in samples(stride: 4_093) {
            if !same(expNaive(x), Foundation.exp(x)) {
                return XCTFail("expNaive(\(x)) = \(expNaive(x)), glibc expf \(Foundation.exp(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
            if !same(logNaive(x), Foundation.log(x)) {
                return XCTFail("logNaive(\(x)) = \(logNaive(x)), glibc logf \(Foundation.log(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
        }
    }

    /// The table is 2^(i/32) with i·2^47 taken out of its bits (it is added back with k's shift).
    func testExpTableIsTwoToTheIOver32() {
        XCTAssertEqual(expTable.count, 32)
        for i in 0..<32 {
            #if arch(x86_64)
            let exact = Double(Foundation.exp2(Float80(i) / 32))
            #else
            let exact = Foundation.exp2(Double(i) / 32)
            #endif
            XCTAssertEqual(expTable[i], exact.bitPattern &- (UInt64(i) << 47), "entry \(i)")
        }
    }

    /// ln and e^x of ordinary values agree with Double's to within a float's rounding.
    func testAccuracyAgainstDouble() {
        for x in samples(stride: 65_521) where x.isFinite {
            if x > -87 && x < 88 {
                let e = Double(expNaive(x)), exact = Foundation.exp(Double(x))
                XCTAssertLessThanOrEqual(abs(e - exact), exact * 0x1p-23, "e^\(x)")
            }
            if x > 0 {
                let l = Double(logNaive(x)), exact = Foundation.log(Double(x))
                XCTAssertLessThanOrEqual(abs(l - exact), max(abs(exact) * 0x1p-23, 0x1p-149), "ln \(x)")
            }
            if x > -1 {
                let l = Double(log1pNaive(x)), exact = Foundation.log1p(Double(x))
                XCTAssertLessThanOrEqual(abs(l - exact), max(abs(exact) * 0x1p-22, 0x1p-149), "ln(1 + \(x))")
            }
        }
        XCTAssertEqual(logNaive(1).bitPattern, Float(0).bitPattern)
        XCTAssertEqual(logNaive(0), -.infinity)
        XCTAssertTrue(logNaive(-1).isNaN)
        XCTAssertEqual(expNaive(-.infinity), 0)
        XCTAssertEqual(expNaive(89), .infinity)
        XCTAssertEqual(expNaive(-103.5), .leastNonzeroMagnitude)
        XCTAssertEqual(log1pNaive(-1), -.infinity)
        XCTAssertTrue(log1pNaive(-2).isNaN)
        XCTAssertEqual(log1pNaive(-0).bitPattern, Float(-0).bitPattern)
    }

    /// Softmax cross-entropy over rows of 1 to 2 vectors of classes: the loss sum and the gradient row
    /// as one float at a time would give them, the pad lanes of the gradient zero.
    func testSoftmaxLossMatchesOneFloatAtATime() {
        var rng = Random(seed: 41)
        for classes in [2, 3, vecWidth - 1, vecWidth, vecWidth + 3] {
            let ld = padded(classes), rows = 5
            var logits = (0..<rows * ld).map { _ in rng.nextFloat() * 40 - 20 }
            logits[ld + 1] = 95        // a row far from the others: z − max below −88 in its lanes
            logits[2 * ld] = .nan      // a diverged row
            let labels = (0..<rows).map { Int32($0 % classes) }
            var dlogits = [Float](repeating: 0, count: rows * ld)
            let scale: Float = 1 / Float(rows)
            let total = lossForwardBackward(.softmaxCrossEntropy(classes: classes), logits: logits, ld: ld, rows: rows,
                                            labels: labels, values: nil, dlogits: &dlogits, scale: scale)
            let noGradient = lossForwardBackward(.softmaxCrossEntropy(classes: classes), logits: logits, ld: ld, rows: rows,
                                                 labels: labels, values: nil, dlogits: nil, scale: scale)
            var expected = 0.0
            for r in 0..<rows {
                let z = Array(logits[r * ld ..< r * ld + classes]), y = Int(labels[r])
                var maxZ = z[0]
                for c in 1..<classes { maxZ = max(maxZ, z[c]) }
                let e = z.map { expNaive($0 - maxZ) }
                var sum: Float = 0
                for c in 0..<classes { sum += e[c] }
                expected += Double(logNaive(sum) - (z[y] - maxZ))
                for c in 0..<ld {
                    var g: Float = c < classes ? e[c] * (scale / sum) : 0
                    if c == y { g -= scale }
                    XCTAssertTrue(same(dlogits[r * ld + c], g), "classes \(classes) row \(r) lane \(c): \(dlogits[r * ld + c]) vs \(g)")
                }
            }
            XCTAssertTrue(expected.isNaN && total.isNaN && noGradient.isNaN, "the NaN row makes the sum NaN")
            // Without the NaN row, the sums are equal bit for bit.
            logits[2 * ld] = 0
            let finite = lossForwardBackward(.softmaxCrossEntropy(classes: classes), logits: logits, ld: ld, rows: rows,
                                             labels: labels, values: nil, dlogits: nil, scale: scale)
            var finiteExpected = 0.0
            for r in 0..<rows {
                let z = Array(logits[r * ld ..< r * ld + classes]), y = Int(labels[r])
                let maxZ = z.max()!
                var sum: Float = 0
                for c in 0..<classes { sum += expNaive(z[c] - maxZ) }
                finiteExpected += Double(logNaive(sum) - (z[y] - maxZ))
            }
            XCTAssertEqual(finite.bitPattern, finiteExpected.bitPattern, "classes \(classes)")
        }
    }

    /// Binary cross-entropy takes e^−|z| once for the loss and the sigmoid: the same bits as the sigmoid's own.
    func testBinaryLossMatchesTheSigmoid() {
        let zs: [Float] = [0, -0, 1e-8, -1e-8, 0.5, -0.5, 3, -3, 40, -40, 100, -100, .infinity, -.infinity, .nan]
        let ld = vecWidth
        var logits = [Float](repeating: 0, count: zs.count * ld)
        for (r, z) in zs.enumerated() { logits[r * ld] = z }
        for label in [Int32(0), 1] {
            let labels = [Int32](repeating: label, count: zs.count)
            var dlogits = [Float](repeating: 0, count: zs.count * ld)
            _ = lossForwardBackward(.binaryCrossEntropy, logits: logits, ld: ld, rows: zs.count, labels: labels,
                                    values: nil, dlogits: &dlogits, scale: 0.25)
            for (r, z) in zs.enumerated() {
                let one = lossForwardBackward(.binaryCrossEntropy, logits: [z], ld: 1, rows: 1, labels: [label],
                                              values: nil, dlogits: nil, scale: 1)
                let expected = Double(max(z, 0) - z * Float(label) + log1pNaive(expNaive(-abs(z))))
                XCTAssertTrue(one.bitPattern == expected.bitPattern || (one.isNaN && expected.isNaN), "loss of \(z)")
                XCTAssertTrue(same(dlogits[r * ld], (sigmoid(z) - Float(label)) * 0.25), "gradient of \(z), label \(label)")
            }
        }
    }

    /// Sigmoid, SELU and tanh over whole vectors against their one-float forms, NaN, ±∞, −0 and large inputs included.
    func testActivationVectorsMatchOneFloatAtATime() {
        let xs = samples(stride: 1_048_573) + [0, -0, 1e30, -1e30, 88.5, -150, 200]
        let count = (xs.count - 3) / vecWidth * vecWidth + 3   // whole vectors, then a scalar tail of 3
        let inp = Array(xs.prefix(count))
        for activation in [Activation.sigmoid, .selu, .tanh] {
            var out = [Float](repeating: 0, count: count)
            activationForward(activation, inp, &out, count: count)
            for i in 0..<count {
                let x = inp[i]
                let expected = switch activation {
                case .sigmoid: sigmoid(x)
                case .selu: x > 0 ? seluScale * x : seluScale * seluAlpha * (expNaive(x) - 1)
                default: tanhNaive(x)
                }
                XCTAssertTrue(same(out[i], expected), "\(activation) of \(x): \(out[i]) vs \(expected)")
            }
        }
    }
}
