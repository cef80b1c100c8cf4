import XCTest
@testable import NNSearchKernel

/// Finite-difference checks of every layer, activation, normalization mode and loss.
final class GradientCheckTests: XCTestCase {
    func testEveryActivationAndLoss() {
        for activation in Activation.allCases {
            for loss in [LossKind.softmaxCrossEntropy(classes: 4), .binaryCrossEntropy, .meanSquaredError] {
                check(activation: activation, loss: loss, batchNorm: false, dropout: 0)
            }
        }
    }

    func testBatchNormInput() {
        for activation in [Activation.relu, .tanh] {
            check(activation: activation, loss: .softmaxCrossEntropy(classes: 3), batchNorm: true, dropout: 0)
        }
        check(activation: .selu, loss: .meanSquaredError, batchNorm: true, dropout: 0)
    }

    func testDropout() {
        check(activation: .relu, loss: .softmaxCrossEntropy(classes: 3), batchNorm: false, dropout: 0.3)
        check(activation: .sigmoid, loss: .binaryCrossEntropy, batchNorm: true, dropout: 0.5)
    }

    func testLinearModelDepthZero() {
        check(activation: .relu, loss: .softmaxCrossEntropy(classes: 3), batchNorm: false, dropout: 0, depth: 0)
        check(activation: .relu, loss: .binaryCrossEntropy, batchNorm: true, dropout: 0, depth: 0)
    }

    /// Both ways of computing an input gradient — `matmulTransposed` for few rows against a wide
    /// layer, the transposed weight and `matmul` otherwise — with and without batch norm's.
    func testBothInputGradientKernels() {
        XCTAssertFalse(inputGradientTransposes(rows: 6, outPad: padded(33)), "6 rows against width 33")
        XCTAssertTrue(inputGradientTransposes(rows: 6, outPad: padded(5)), "6 rows against width 5")
        check(activation: .relu, loss: .softmaxCrossEntropy(classes: 3), batchNorm: false, dropout: 0, width: 33)
        check(activation: .tanh, loss: .meanSquaredError, batchNorm: true, dropout: 0, width: 33, inputs: 21)
        check(activation: .relu, loss: .softmaxCrossEntropy(classes: 18), batchNorm: false, dropout: 0, width: 41)
        check(activation: .relu, loss: .binaryCrossEntropy, batchNorm: true, dropout: 0, width: 5, inputs: 35, rows: 2)
    }

    /// Compares every real parameter's gradient from `backward` with a central difference of
    /// the Double reference loss. Float backward carries relative error ~1e-6 and the central
    /// difference O(h²) ≈ 1e-10, so 1e-4 absolute + 1e-3 relative is loose yet catches any
    /// wrong term (those are off by O(1) of the gradient).
    private func check(activation: Activation, loss: LossKind, batchNorm: Bool, dropout: Double, depth: Int = 2,
                       width: Int = 5, inputs: Int = 3, rows: Int = 6, file: StaticString = #filePath, line: UInt = #line) {
        let layout = MLPLayout(inputs: inputs, depth: depth, width: width, outputs: loss.outputs, batchNorm: batchNorm)
        var rng = Random(seed: 42)
        let model = MLP(layout: layout, activation: activation, dropout: dropout, rng: &rng)
        // Non-trivial batch-norm parameters and biases, so their gradients are exercised.
        for l in 0..<layout.layers { for o in 0..<layout.dims[l + 1] { model.bias(l)[o] = rng.nextFloat() - 0.5 } }
        if batchNorm { for c in 0..<inputs { model.gamma[c] = 0.5 + rng.nextFloat(); model.beta[c] = rng.nextFloat() - 0.5 } }
        let ws = Workspace(layout: layout, maxRows: rows, dropout: dropout > 0)
        var x = [Double]()
        var values = [Float]()
        for r in 0..<rows {
            for c in 0..<inputs {
                let v = rng.nextFloat() * 4 - 2
                ws.input.pointer[r * padded(inputs) + c] = v
                x.append(Double(v))
            }
            ws.labels[r] = Int32(r % max(loss.outputs, 2))
            ws.values[r] = rng.nextFloat() * 2 - 1
            values.append(ws.values[r])
        }
        let labels = Array(UnsafeBufferPointer(start: ws.labels, count: rows))
        let logits = model.forward(ws, rows: rows, training: true, rng: &rng)
        let outPad = padded(loss.outputs)
        ws.gradA.zero()
        _ = lossForwardBackward(loss, logits: logits, ld: outPad, rows: rows, labels: ws.labels, values: ws.values,
                                dlogits: ws.gradA.pointer, scale: 1 / Float(rows))
        model.backward(ws, rows: rows)
        let masks = dropout > 0 ? ws.masks.map(\.array).map { $0.map(Double.init) } : []
        let reference = ReferenceMLP(layout: layout, activation: activation, lossKind: loss)
        var p = model.parameters.array.map(Double.init)
        let analytic = model.gradients.array
        var checked = 0
        for index in realParameterIndices(layout) {
            let h = 1e-6
            let saved = p[index]
            p[index] = saved + h
            let up = reference.loss(p, x: x, rows: rows, labels: labels, values: values, masks: masks)
            p[index] = saved - h
            let down = reference.loss(p, x: x, rows: rows, labels: labels, values: values, masks: masks)
            p[index] = saved
            let numeric = (up - down) / (2 * h)
            let error = abs(Double(analytic[index]) - numeric)
            if error > 1e-4 + 1e-3 * abs(numeric) {
                XCTFail("\(activation) \(loss) bn=\(batchNorm) dropout=\(dropout) depth=\(depth): parameter \(index): backward \(analytic[index]), finite difference \(numeric), error \(error)",
                        file: file, line: line)
                return
            }
            checked += 1
        }
        XCTAssertEqual(checked, layout.realParameterCount, file: file, line: line)
        // Pad entries of the gradient must stay zero, or padding would start to train.
        let real = Set(realParameterIndices(layout))
        for i in 0..<layout.parameterCount where !real.contains(i) {
            XCTAssertEqual(analytic[i], 0, "pad gradient \(i)", file: file, line: line)
        }
    }

    private func realParameterIndices(_ layout: MLPLayout) -> [Int] {
        var indices = [Int]()
        let d = layout.dims
        if layout.batchNorm {
            for c in 0..<d[0] { indices.append(layout.gammaOffset + c); indices.append(layout.gammaOffset + padded(d[0]) + c) }
        }
        for l in 0..<layout.layers {
            for i in 0..<d[l] { for o in 0..<d[l + 1] { indices.append(layout.weightOffsets[l] + i * padded(d[l + 1]) + o) } }
            for o in 0..<d[l + 1] { indices.append(layout.biasOffsets[l] + o) }
        }
        return indices
    }
}
