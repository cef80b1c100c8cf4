// The forward and backward passes of a network whose every layer fits one vector (every
// dimension ≤ vecWidth; no batch norm, no dropout): the seed's 2→2→3 net, width-8 nets.
// Same buffers as `MLP.forward` and `MLP.backward` (MLP+Pass.swift): input (B, vecWidth),
// outputs[l] (B, vecWidth), gradA/gradB (B, vecWidth), weight l (dims[l], vecWidth).
//
// A step of such a net is a few dozen multiply-adds; looking up each layer's buffers in the
// layout's arrays, dispatching between narrow and tiled loops and retaining the workspace's
// buffer arrays cost more than the arithmetic. Here every pointer is fixed once per trial and
// the layers call the narrow loops (NarrowLinear.swift) directly, in the general passes' order.
// One row (batch 1) runs `forwardRow` and `backwardRow`: the narrow layer's own one-row steps
// (`narrowRowForward`, `narrowRowBackward`) layer by layer, a relu net's gradient passed between
// layers in a register. Either way the results are the general passes' bit
// for bit (`NarrowNetTests`, whole trials both ways).

/// A network of narrow layers with its buffers' pointers fixed once, run without the general passes' plumbing.
final class NarrowNet {
    let layers: Int
    let activation: Activation
    /// dims[0...layers] of the layout.
    private let dims: UnsafeMutablePointer<Int>
    /// Per layer: weight, bias, their gradients, and the layer's output buffer.
    private let pointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let input: UnsafeMutablePointer<Float>
    private let gradA: UnsafeMutablePointer<Float>
    private let gradB: UnsafeMutablePointer<Float>
    private let weightT: UnsafeMutablePointer<Float>
    /// Kept alive: the pointers above point into them.
    private let model: MLP
    private let workspace: Workspace

    /// Whether `NarrowNet` can run `model`: every dimension fits one vector, no batch norm or dropout.
    static func fits(_ model: MLP) -> Bool {
        fits(dims: model.layout.dims, batchNorm: model.layout.batchNorm, dropout: Double(model.dropout))
    }

    /// Whether a net of these layer sizes, batch norm and dropout can run here (`fits`, before any model exists).
    static func fits(dims: [Int], batchNorm: Bool, dropout: Double) -> Bool {
        !batchNorm && dropout == 0 && dims.allSatisfy { $0 <= vecWidth }
    }

    /// The narrow passes of `model` over `workspace`, or nil when `fits(model)` is false.
    init?(model: MLP, workspace: Workspace) {
        guard NarrowNet.fits(model) else { return nil }
        let layout = model.layout
        layers = layout.layers
        activation = model.activation
        dims = .allocate(capacity: layers + 1)
        for l in 0...layers { dims[l] = layout.dims[l] }
        pointers = .allocate(capacity: 5 * layers)
        for l in 0..<layers {
            (pointers + 5 * l).initialize(to: model.weight(l))
            (pointers + 5 * l + 1).initialize(to: model.bias(l))
            (pointers + 5 * l + 2).initialize(to: model.weightGrad(l))
            (pointers + 5 * l + 3).initialize(to: model.biasGrad(l))
            (pointers + 5 * l + 4).initialize(to: workspace.outputs[l].pointer)
        }
        input = workspace.input.pointer
        gradA = workspace.gradA.pointer
        gradB = workspace.gradB.pointer
        weightT = workspace.weightT.pointer
        self.model = model
        self.workspace = workspace
        precondition(!inputGradientTransposes(rows: 1, outPad: vecWidth), "one row's input gradient is dot1's")
    }

    deinit {
        dims.deallocate()
        pointers.deallocate()
    }

    @inline(__always) private func weight(_ l: Int) -> UnsafeMutablePointer<Float> { pointers[5 &* l] }
    @inline(__always) private func bias(_ l: Int) -> UnsafeMutablePointer<Float> { pointers[5 &* l &+ 1] }
    @inline(__always) private func weightGrad(_ l: Int) -> UnsafeMutablePointer<Float> { pointers[5 &* l &+ 2] }
    @inline(__always) private func biasGrad(_ l: Int) -> UnsafeMutablePointer<Float> { pointers[5 &* l &+ 3] }
    @inline(__always) private func output(_ l: Int) -> UnsafeMutablePointer<Float> { pointers[5 &* l &+ 4] }

    /// `MLP.forward` in training or evaluation mode (the same here): the logits of the first `rows` inputs.
    func forward(rows: Int) -> UnsafeMutablePointer<Float> {
        if rows == 1 { return forwardRow() }
        var inp = UnsafePointer(input)
        for l in 0..<layers {
            let out = output(l)
            narrowLinearForward(out: out, inp: inp, weight: weight(l), bias: bias(l), rows: rows, inDim: dims[l])
            if l &+ 1 < layers { activationForward(activation, out, out, count: rows &* vecWidth) }
            inp = UnsafePointer(out)
        }
        return output(layers &- 1)
    }

    /// `MLP.backward`: the gradients of the last `forward`, given d(loss)/d(logits) in gradA.
    func backward(rows: Int) {
        if rows == 1 { return backwardRow() }
        var dout = gradA
        var dinp = gradB
        var l = layers &- 1
        while l >= 0 {
            let inp = UnsafePointer(l > 0 ? output(l &- 1) : input)
            narrowLinearBackward(dweight: weightGrad(l), dbias: biasGrad(l), dinp: l > 0 ? dinp : nil,
                                 weightT: weightT, dout: dout, inp: inp, weight: weight(l),
                                 rows: rows, inDim: dims[l], outDim: dims[l &+ 1])
            if l > 0 { activationBackward(activation, out: output(l &- 1), grad: dinp, count: rows &* vecWidth) }
            swap(&dout, &dinp)
            l &-= 1
        }
    }

    /// `forward` of one row (batch 1): `narrowRowForward` layer by layer, relu applied in a register.
    private func forwardRow() -> UnsafeMutablePointer<Float> {
        var inp = UnsafePointer(input)
        for l in 0..<layers {
            var x = narrowRowForward(inp, weight: weight(l), bias: Vec.load(bias(l)), inDim: dims[l])
            let out = output(l)
            if l &+ 1 < layers && activation != .relu {
                x.store(out)
                activationForward(activation, out, out, count: vecWidth)
                x = Vec.load(out)
            } else {
                if l &+ 1 < layers { x = reluForward(x) }
                x.store(out)
            }
            inp = UnsafePointer(out)
        }
        return output(layers &- 1)
    }

    /// `backward` of one row: `narrowRowBackward` layer by layer, the gradient in a register
    /// (through gradB for activations other than relu).
    private func backwardRow() {
        var g = Vec.load(gradA)
        var l = layers &- 1
        while l >= 0 {
            let inp = l > 0 ? Vec.load(output(l &- 1)) : Vec.load(input)
            let dinp = narrowRowBackward(dout: g, inp: inp, dweight: weightGrad(l), dbias: biasGrad(l),
                                         weight: weight(l), inDim: dims[l], inputGradient: l > 0)
            guard l > 0 else { break }
            if activation == .relu {
                g = reluBackward(dinp, out: inp)
            } else {
                dinp.store(gradB)
                activationBackward(activation, out: output(l &- 1), grad: gradB, count: vecWidth)
                g = Vec.load(gradB)
            }
            l &-= 1
        }
    }
}
