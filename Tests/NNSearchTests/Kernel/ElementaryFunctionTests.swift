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

    /// `vector` against `scalar` lane by lane over `xs`, each float in several lanes (the windows overlap).
    private func assertLanesMatch(_ xs: [Float], _ name: String, _ vector: (Vec) -> Vec, _ scalar: (Float) -> Float,
                                  file: StaticString = #filePath, line: UInt = #line) {
        for start in stride(from: 0, to: xs.count, by: vecWidth - 3) {
            var v = Vec()
            for i in 0..<vecWidth { v[i] = xs[(start + i) % xs.count] }
            let out = vector(v)
            for i in 0..<vecWidth where !same(out[i], scalar(v[i])) {
                return XCTFail("\(name) lane \(i) of \(v[i]) (\(String(v[i].bitPattern, radix: 16))): \(out[i]), one float at a time \(scalar(v[i]))",
                               file: file, line: line)
            }
        }
    }

    func testVectorMatchesTheOneFloatFormInEveryLane() {
        assertLanesMatch(samples(stride: 4_093), "expVector", expVector, expNaive)
    }

    /// `logVector` against `logarithm` in every lane: the sampled floats (every sign, exponent and special
    /// case, so vectors that take the special cases lane by lane too) and the dense binades, shifted so each
    /// float sits in several lanes.
    func testLogVectorMatchesTheOneFloatFormInEveryLane() {
        assertLanesMatch(samples(stride: 4_093) + denseSamples().filter { $0 > 0 }, "logVector", logVector, logarithm)
    }

    /// The x whose expm1 argument a (−2|x| below 1, 2|x| from 1) sits on one of expm1's boundaries — |a| at
    /// 2^−25, ln 2/2, 1.5 ln 2 and 27 ln 2, k's steps at 2, 3, 23, 24, 56 and 57 — and tanh's own (2^−55, 1,
    /// 22), with 64 floats either side of each, both signs.
    private func tanhBoundaries() -> [Float] {
        var centres: [Float] = [0x1p-55, 1, 22]
        for bits: UInt32 in [0x3300_0000, 0x3eb1_7218, 0x3f85_1592, 0x4195_b844] { centres.append(Float(bitPattern: bits) / 2) }
        for k in [2, 3, 23, 24, 56, 57] { centres.append((Float(k) - 0.5) * 0.6931472 / 2) }
        var xs: [Float] = []
        for centre in centres {
            var up = centre, down = centre
            for _ in 0..<64 { xs += [up, -up, down, -down]; up = up.nextUp; down = down.nextDown }
        }
        return xs
    }

    /// Floats of the ranges training uses most, dense: every 97th float of each binade from 2^−8 to 2^5,
    /// both signs (a constant of the polynomials one unit in the last place off changes a few hundred of
    /// these; a stride through all 2^32 floats misses them).
    private func denseSamples() -> [Float] {
        var xs: [Float] = []
        for exponent in -8...4 {
            let first = Float(sign: .plus, exponent: exponent, significand: 1).bitPattern
            for bits in stride(from: first, to: first + (1 << 23), by: 97) {
                xs += [Float(bitPattern: bits), -Float(bitPattern: bits)]
            }
        }
        return xs
    }

    func testTanhVectorMatchesTheOneFloatFormInEveryLane() {
        assertLanesMatch(samples(stride: 4_093) + tanhBoundaries() + [9.3553, 28], "tanhVector", tanhVector, tanhNaive)
    }

    /// tanh and e^x − 1 of ordinary values agree with Double's to within a few float roundings.
    func testTanhAccuracyAgainstDouble() {
        for x in samples(stride: 65_521) where x.isFinite {
            let t = Double(tanhNaive(x)), exact = Foundation.tanh(Double(x))
            XCTAssertLessThanOrEqual(abs(t - exact), max(abs(exact) * 0x1p-22, 0x1p-149), "tanh \(x)")
            if x > -80 && x < 80 {
                let m = Double(expMinusOne(x)), exactM = Foundation.expm1(Double(x))
                XCTAssertLessThanOrEqual(abs(m - exactM), max(abs(exactM) * 0x1p-22, 0x1p-149), "expm1 \(x)")
            }
        }
        XCTAssertEqual(tanhNaive(.infinity), 1)
        XCTAssertEqual(tanhNaive(-.infinity), -1)
        XCTAssertTrue(tanhNaive(.nan).isNaN)
        XCTAssertEqual(tanhNaive(-0).bitPattern, Float(-0).bitPattern)
        XCTAssertEqual(expMinusOne(-.infinity), -1)
    }

    /// glibc 2.36's `tanhf` and `log1pf` are fdlibm's, which `tanhNaive` and `logarithmOnePlus` reproduce;
    /// later releases may replace them.
    func testMatchesGlibcTanhfAndLog1pf() throws {
        try hostHasGlibcFMA()
        guard let version = glibcVersion(), version == "2.36" else {
            throw XCTSkip("SKIPPED: glibc \(glibcVersion() ?? "?")'s tanhf and log1pf are not known to be 2.36's (fdlibm's), which the kernel reproduces")
        }
        for x in samples(stride: 4_093) + tanhBoundaries() + denseSamples() {
            if !same(tanhNaive(x), Foundation.tanh(x)) {
                return XCTFail("tanhNaive(\(x)) = \(tanhNaive(x)), glibc tanhf \(Foundation.tanh(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
            if !same(logarithmOnePlus(x), Foundation.log1p(x)) {
                return XCTFail("logarithmOnePlus(\(x)) = \(logarithmOnePlus(x)), glibc log1pf \(Foundation.log1p(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
        }
    }

    /// The host's glibc release ("2.36"), or nil when the C library is not glibc.
    private func glibcVersion() -> String? {
        #if canImport(Glibc)
        typealias VersionFunction = @convention(c) () -> UnsafePointer<CChar>
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "gnu_get_libc_version") else { return nil }
        return String(cString: unsafeBitCast(symbol, to: VersionFunction.self)())
        #else
        return nil
        #endif
    }

    /// The host's C library is glibc with `__expf_fma`/`__logf_fma` (glibc ≥ 2.27 on a CPU with FMA and
    /// AVX2, which its ifunc requires): otherwise there is nothing the same bits can be asked of.
    private func hostHasGlibcFMA() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard flags.contains(" fma "), flags.contains(" avx2 ") else {
            throw XCTSkip("SKIPPED: this CPU lacks FMA or AVX2, so glibc's expf/logf are its generic code, not the FMA code the kernel reproduces")
        }
        guard let version = glibcVersion() else {
            throw XCTSkip("SKIPPED: the C library is not glibc; the kernel reproduces glibc's expf/logf")
        }
        let parts = version.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, (parts[0], parts[1]) >= (2, 27) else {
            throw XCTSkip("SKIPPED: glibc \(version) predates the expf/logf (2.27) the kernel reproduces")
        }
    }

    func testMatchesGlibcExpfAndLogf() throws {
        try hostHasGlibcFMA()
        for x in samples(stride: 4_093) + denseSamples() {
            if !same(expNaive(x), Foundation.exp(x)) {
                return XCTFail("expNaive(\(x)) = \(expNaive(x)), glibc expf \(Foundation.exp(x)) (bits \(String(x.bitPattern, radix: 16)))")
            }
            if !same(logarithm(x), Foundation.log(x)) {
                return XCTFail("logarithm(\(x)) = \(logarithm(x)), glibc logf \(Foundation.log(x)) (bits \(String(x.bitPattern, radix: 16)))")
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
                let l = Double(logarithm(x)), exact = Foundation.log(Double(x))
                XCTAssertLessThanOrEqual(abs(l - exact), max(abs(exact) * 0x1p-23, 0x1p-149), "ln \(x)")
            }
            if x > -1 {
                let l = Double(logarithmOnePlus(x)), exact = Foundation.log1p(Double(x))
                XCTAssertLessThanOrEqual(abs(l - exact), max(abs(exact) * 0x1p-22, 0x1p-149), "ln(1 + \(x))")
            }
        }
        XCTAssertEqual(logarithm(1).bitPattern, Float(0).bitPattern)
        XCTAssertEqual(logarithm(0), -.infinity)
        XCTAssertTrue(logarithm(-1).isNaN)
        XCTAssertEqual(expNaive(-.infinity), 0)
        XCTAssertEqual(expNaive(89), .infinity)
        XCTAssertEqual(expNaive(-103.5), .leastNonzeroMagnitude)
        XCTAssertEqual(logarithmOnePlus(-1), -.infinity)
        XCTAssertTrue(logarithmOnePlus(-2).isNaN)
        XCTAssertEqual(logarithmOnePlus(-0).bitPattern, Float(-0).bitPattern)
    }

    /// Softmax cross-entropy over rows of 1 to 2 vectors of classes, in blocks of vecWidth rows (a row per
    /// lane) and the rows left one at a time: the loss sum and every gradient row as one float at a time
    /// would give them, the pad lanes of the gradient written zero.
    func testSoftmaxLossMatchesOneFloatAtATime() {
        var rng = Random(seed: 41)
        for classes in [2, 3, vecWidth - 1, vecWidth, vecWidth + 3] {
            let ld = padded(classes), rows = 2 * vecWidth + 5
            var logits = (0..<rows * ld).map { _ in rng.nextFloat() * 40 - 20 }
            logits[ld + 1] = 95        // a row far from the others: z − max below −88 in its lanes
            logits[2 * ld] = .nan      // a diverged row
            logits[(2 * vecWidth + 1) * ld + 1] = 95  // the same in a row left over after the blocks
            let notItsLabel = ((vecWidth + 3) % classes + 1) % classes
            logits[(vecWidth + 3) * ld + notItsLabel] = -.infinity  // e^x = 0 in one lane
            logits[(vecWidth + 4) * ld] = 30; logits[(vecWidth + 4) * ld + 1] = 30  // a tie for the largest
            let labels = (0..<rows).map { Int32($0 % classes) }
            var dlogits = [Float](repeating: .nan, count: rows * ld)  // every lane must be written
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
                expected += Double(logarithm(sum) - (z[y] - maxZ))
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
                finiteExpected += Double(logarithm(sum) - (z[y] - maxZ))
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
                let expected = Double(max(z, 0) - z * Float(label) + logarithmOnePlus(expNaive(-abs(z))))
                XCTAssertTrue(one.bitPattern == expected.bitPattern || (one.isNaN && expected.isNaN), "loss of \(z)")
                XCTAssertTrue(same(dlogits[r * ld], (sigmoid(z) - Float(label)) * 0.25), "gradient of \(z), label \(label)")
            }
        }
    }

    /// Sigmoid, SELU and tanh over whole vectors against their one-float forms, NaN, ±∞, −0 and large inputs included.
    func testActivationVectorsMatchOneFloatAtATime() {
        let xs: [Float] = [0, -0, 1e30, -1e30, 88.5, -150, 200, .nan, -.nan, .infinity, -.infinity] + tanhBoundaries()
            + samples(stride: 1_048_573)
        let count = (xs.count - 3) / vecWidth * vecWidth + 3   // whole vectors, then a scalar tail of 3
        let inp = Array(xs.prefix(count))
        for activation in [Activation.sigmoid, .selu, .tanh] {
            var out = [Float](repeating: 0, count: count)
            activationForward(activation, inp, &out, count: count)
            for i in 0..<count {
                let x = inp[i]
                let expected = switch activation {
                case .sigmoid: sigmoid(x)
                case .selu: selu(x)
                default: tanhNaive(x)
                }
                XCTAssertTrue(same(out[i], expected), "\(activation) of \(x): \(out[i]) vs \(expected)")
            }
        }
    }
}
