import XCTest
@testable import NNSearchKernel

/// One or two optimizer steps against values worked out by hand from the update formulas.
final class OptimizerTests: XCTestCase {
    /// Runs `steps` updates of `kind` on a vector-sized buffer holding p = [1, -2, 0.5, 0...],
    /// with constant gradient g = [0.5, 0.25, -1, 0...], and returns the first three parameters.
    private func steps(_ kind: OptimizerKind, _ n: Int, lr: Double, momentum: Double = 0.9, nesterov: Bool = false,
                       weightDecay: Double = 0) -> [Float] {
        let count = vecWidth
        let p = FloatBuffer(count: count), g = FloatBuffer(count: count)
        p.pointer[0] = 1; p.pointer[1] = -2; p.pointer[2] = 0.5
        g.pointer[0] = 0.5; g.pointer[1] = 0.25; g.pointer[2] = -1
        let opt = Optimizer(kind: kind, count: count, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        for _ in 0..<n { opt.update(p.pointer, g.pointer, count: count, lr: lr) }
        XCTAssertEqual(p.pointer[3], 0, "pad entries with zero gradient stay zero")
        return Array(p.array[0..<3])
    }

    private func assertClose(_ a: [Float], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        for (x, y) in zip(a, b) {
            // A few Float roundings of values of size ~1: allow 4 ulps of 1.
            XCTAssertEqual(Double(x), y, accuracy: 4 * Double(Float.ulpOfOne) * max(1, abs(y)), file: file, line: line)
        }
    }

    func testSGD() {
        // p - lr·g with lr 0.1.
        assertClose(steps(.sgd, 1, lr: 0.1), [0.95, -2.025, 0.6])
        // L2 decay 0.1 adds 0.1·p to g: g' = [0.6, 0.05, -0.95].
        assertClose(steps(.sgd, 1, lr: 0.1, weightDecay: 0.1), [0.94, -2.005, 0.595])
    }

    func testMomentum() {
        // Step 1: buf = g, p -= lr·g. Step 2: buf = 0.9·g + g = 1.9·g, p -= lr·1.9·g. Total 2.9·lr·g.
        assertClose(steps(.momentum, 2, lr: 0.1), [1 - 0.29 * 0.5, -2 - 0.29 * 0.25, 0.5 + 0.29])
        // Nesterov step 1: buf = g, update = g + 0.9·buf = 1.9·g.
        assertClose(steps(.momentum, 1, lr: 0.1, nesterov: true), [1 - 0.19 * 0.5, -2 - 0.19 * 0.25, 0.5 + 0.19])
    }

    func testAdam() {
        // Step 1: m̂ = g, v̂ = g², so p -= lr·g/(|g| + ε) ≈ lr·sign(g).
        let eps = 1e-8
        assertClose(steps(.adam, 1, lr: 0.01), [1 - 0.01 * 0.5 / (0.5 + eps), -2 - 0.01 * 0.25 / (0.25 + eps), 0.5 + 0.01 / (1 + eps)])
        // Constant gradient: every step's m̂ = g and v̂ = g², so two steps move 2·lr·sign(g).
        assertClose(steps(.adam, 2, lr: 0.01), [0.98, -2.02, 0.52])
    }

    func testAdamWDecaysParametersDirectly() {
        // p·(1 - lr·wd) then the Adam step: 1·(1 - 0.01·0.1) - 0.01 = 0.989.
        assertClose(steps(.adamw, 1, lr: 0.01, weightDecay: 0.1), [0.989, -2 * 0.999 - 0.01, 0.5 * 0.999 + 0.01])
        // Plain adam with the same decay as L2: g' = g + 0.1·p keeps the sign, so still lr·sign(g').
        assertClose(steps(.adam, 1, lr: 0.01, weightDecay: 0.1), [0.99, -2.01, 0.51])
    }

    func testSchedules() {
        let step = Schedule.step(every: 10, gamma: 0.5)
        XCTAssertEqual(step.rate(base: 0.1, epoch: 0, epochs: 30), 0.1)
        XCTAssertEqual(step.rate(base: 0.1, epoch: 9, epochs: 30), 0.1)
        XCTAssertEqual(step.rate(base: 0.1, epoch: 10, epochs: 30), 0.05)
        XCTAssertEqual(step.rate(base: 0.1, epoch: 25, epochs: 30), 0.025)
        XCTAssertEqual(Schedule.constant.rate(base: 0.3, epoch: 17, epochs: 20), 0.3)
        XCTAssertEqual(Schedule.cosine.rate(base: 0.1, epoch: 0, epochs: 20), 0.1)
        XCTAssertEqual(Schedule.cosine.rate(base: 0.1, epoch: 10, epochs: 20), 0.05, accuracy: 1e-15)
        XCTAssertEqual(Schedule.cosine.rate(base: 0.1, epoch: 5, epochs: 20), 0.1 * (0.5 + 0.5 * cos(Double.pi / 4)), accuracy: 1e-15)
        XCTAssertEqual(step.description, "step:10:0.5")
    }
}
