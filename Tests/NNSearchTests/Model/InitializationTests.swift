import XCTest
@testable import NNSearchKernel

/// The two initializations: `normal` (the default, unchanged) and `uniform` (PyTorch's `nn.Linear`).
final class InitializationTests: XCTestCase {
    private let layout = MLPLayout(inputs: 3, depth: 2, width: 5, outputs: 4, batchNorm: true)

    private func model(_ initialization: Initialization?, seed: UInt64 = 7) -> (MLP, Random) {
        var rng = Random(seed: seed)
        let m = initialization.map { MLP(layout: layout, activation: .relu, initialization: $0, dropout: 0, rng: &rng) }
            ?? MLP(layout: layout, activation: .relu, dropout: 0, rng: &rng)
        return (m, rng)
    }

    private func values(_ m: MLP) -> [Float] { Array(UnsafeBufferPointer(start: m.parameters.pointer, count: layout.parameterCount)) }

    /// Uniform: every real weight and bias inside ±1/√fan_in, biases not all zero, padding zero,
    /// batch-norm gamma 1 and beta 0, and the same draws for the same stream.
    func testUniformIsPyTorchsDefaultAndDeterministic() {
        let (m, rng) = model(.uniform)
        for l in 0..<layout.layers {
            let bound = Float(1 / Double(layout.dims[l]).squareRoot())
            let ld = padded(layout.dims[l + 1])
            for i in 0..<layout.dims[l] {
                for o in 0..<ld {
                    let w = m.weight(l)[i * ld + o]
                    if o < layout.dims[l + 1] { XCTAssertLessThanOrEqual(abs(w), bound) } else { XCTAssertEqual(w, 0) }
                }
            }
            let biases = (0..<layout.dims[l + 1]).map { m.bias(l)[$0] }
            XCTAssertTrue(biases.allSatisfy { abs($0) <= bound }, "\(biases)")
            XCTAssertTrue(biases.contains { $0 != 0 }, "\(biases)")
            XCTAssertTrue((layout.dims[l + 1]..<padded(layout.dims[l + 1])).allSatisfy { m.bias(l)[$0] == 0 })
        }
        XCTAssertTrue((0..<3).allSatisfy { m.gamma[$0] == 1 && m.beta[$0] == 0 })
        let (again, rngAgain) = model(.uniform)
        XCTAssertEqual(values(m), values(again))
        XCTAssertEqual(rng, rngAgain)
        XCTAssertNotEqual(values(m), values(model(.uniform, seed: 8).0))
        // The first weight is the stream's first draw.
        var first = Random(seed: 7)
        XCTAssertEqual(m.weight(0)[0], Float((2 * first.nextDouble() - 1) / Double(3).squareRoot()))
    }

    /// Normal is the default and keeps zero biases (so searches made before `init` existed give the same results).
    func testNormalIsTheDefaultWithZeroBiases() {
        let (byDefault, _) = model(nil), (normal, _) = model(.normal)
        XCTAssertEqual(values(byDefault), values(normal))
        for l in 0..<layout.layers { XCTAssertTrue((0..<padded(layout.dims[l + 1])).allSatisfy { normal.bias(l)[$0] == 0 }) }
        XCTAssertEqual(Hyperparameters().initialization, .normal)
    }
}
