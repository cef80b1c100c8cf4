// The forward and backward passes of a network whose every layer fits one vector (every
// dimension ≤ vecWidth; no batch norm, no dropout): the seed's 2→2→3 net, width-8 nets.
// Same buffers as `MLP.forward` and `MLP.backward` (MLP+Pass.swift): input (B, vecWidth),
// outputs[l] (B, vecWidth), gradA/gradB (B, vecWidth), weight l (dims[l], vecWidth).
//
// A step of such a net is a few dozen multiply-adds; looking up each layer's buffers in the
// layout's arrays, dispatching between narrow and tiled loops and retaining the workspace's
// buffer arrays cost more than the arithmetic. Here every pointer is fixed once per trial and
// the layers call the narrow loops (NarrowLinear.swift) directly, in the general passes' order.
// One row (batch 1) has its own `forwardRow` and `backwardRow`, which restate those loops'
// arithmetic for a single row with a relu net's activations and gradient in registers: a change
// to `narrowLinearForward`/`narrowLinearBackward` must be made there too. Either way the results
// are the general passes' bit for bit (`NarrowNetTests`, whole trials both ways).

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
        !model.layout.batchNorm && model.dropout == 0 && model.layout.dims.allSatisfy { $0 <= vecWidth }
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
        precondition(!inputGradientTransposes(rows: 1, outPad: vecWidth), "backwardRow reduces like dot1")
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
            if l &+ 1 < layers { activate(out, rows: rows) }
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
            if l > 0 { deactivate(dinp, out: output(l &- 1), rows: rows) }
            swap(&dout, &dinp)
            l &-= 1
        }
    }

    /// `forward` of one row (batch 1): `narrowLinearForward`'s chain with the layer's input in a register
    /// (other activations than relu go through the layer's output buffer).
    private func forwardRow() -> UnsafeMutablePointer<Float> {
        var h = Vec.load(input)
        for l in 0..<layers {
            let w = weight(l)
            var x = Vec.load(bias(l))
            for p in 0..<dims[l] { x = fused(x, Vec(repeating: h[p]), Vec.load(w + p &* vecWidth)) }
            let out = output(l)
            if l &+ 1 < layers && activation != .relu {
                x.store(out)
                activate(out, rows: 1)
                x = Vec.load(out)
            } else {
                if l &+ 1 < layers { x = reluForward(x) }
                x.store(out)
            }
            h = x
        }
        return output(layers &- 1)
    }

    /// `backward` of one row: `narrowLinearBackward`'s arithmetic for a batch of one, the gradient
    /// in a register (through gradB for activations other than relu). With one row the input gradient is the reduction of `dot1` (the rule
    /// `inputGradientTransposes` picks for one row, checked in `init`).
    private func backwardRow() {
        var g = Vec.load(gradA)
        var l = layers &- 1
        while l >= 0 {
            let inp = l > 0 ? Vec.load(output(l &- 1)) : Vec.load(input)
            let dw = weightGrad(l)
            let inDim = dims[l]
            // dW[i] = inp[i] · g, one step of the chain from zero; dbias = 0 + g.
            for i in 0..<inDim { fused(Vec(), Vec(repeating: inp[i]), g).store(dw + i &* vecWidth) }
            (Vec() + g).store(biasGrad(l))
            guard l > 0 else { break }
            let w = weight(l)
            var dinp = Vec()
            for i in 0..<inDim { dinp[i] = laneSum(fused(Vec(), g, Vec.load(w + i &* vecWidth))) }
            if activation == .relu {
                g = reluBackward(dinp, out: inp)
            } else {
                let d = gradB
                dinp.store(d)
                activationBackward(activation, out: output(l &- 1), grad: d, count: vecWidth)
                g = Vec.load(d)
            }
            l &-= 1
        }
    }

    /// The hidden activation over `rows` rows of a layer's output, in place.
    @inline(__always)
    private func activate(_ out: UnsafeMutablePointer<Float>, rows: Int) {
        if activation == .relu {
            for r in 0..<rows { reluForward(Vec.load(out + r &* vecWidth)).store(out + r &* vecWidth) }
        } else {
            activationForward(activation, out, out, count: rows &* vecWidth)
        }
    }

    /// `grad` times the hidden activation's derivative, given the activation's output `out`.
    @inline(__always)
    private func deactivate(_ grad: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>, rows: Int) {
        if activation == .relu {
            for r in 0..<rows {
                let g = grad + r &* vecWidth
                reluBackward(Vec.load(g), out: Vec.load(out + r &* vecWidth)).store(g)
            }
        } else {
            activationBackward(activation, out: out, grad: grad, count: rows &* vecWidth)
        }
    }
}
