// Up to vecWidth trials of one narrow net (every dimension ≤ vecWidth, no batch norm or dropout)
// trained side by side, one trial per lane, each on batches of its own rows. Every vector here holds
// one quantity of each trial: lane t of params[e] is element e of trial t's parameter buffer (its
// pad elements included), lane t of outputs[(b · layers + l) · vecWidth + j] is unit j of layer l's
// output for row b of trial t's batch.
// Buffers: params, grads, first, second (P vectors: P = the layout's parameterCount); input,
// gradient, inputGradient (B × vecWidth: B = the batch), outputs (B × layers × vecWidth), products
// (layers × vecWidth), scratch (vecWidth), labels and values (B).
//
// A trial alone runs `NarrowNet`'s passes (`narrowLinearForward`, `narrowLinearBackward` — one row's
// steps at batch 1 —, the loss's one-row arithmetic, `Optimizer.update`): on vectors of 8 units of
// which the seed's net uses 2 or 3, and a dependency chain of a few hundred cycles a step. Here each
// lane runs exactly those operations on its own trial — the same chains of fused multiply-adds in
// the same order (the weight gradient's over the batch's rows), the input gradient by the same rule
// (`dot1`'s tree or the transposed weight's chain, by the batch's row count), the same e^x, ln x,
// ln(1 + x) and activation functions, the optimizer's formulas — so every vector op does one trial's
// work for 8 trials, and a trial's result does not depend on whether it trained alone or which
// trials shared its lanes (`LockstepTests` compares both ways bit for bit). The pad elements, which
// a solo step computes alongside the real ones, are skipped while they provably stay the +0 it
// would leave (`startEpoch`), and computed as it computes them otherwise.

/// The arithmetic of up to vecWidth trials of one narrow net, one trial per lane.
final class LockstepNet {
    let layout: MLPLayout
    let activation: Activation
    let lossKind: LossKind
    let optimizer: OptimizerKind
    let nesterov: Bool
    let parameterCount: Int
    let params: UnsafeMutablePointer<Vec>
    let grads: UnsafeMutablePointer<Vec>
    /// Momentum buffer or Adam's first moment (P vectors; none for sgd).
    let first: UnsafeMutablePointer<Vec>
    /// Adam's second moment (P vectors; none otherwise).
    let second: UnsafeMutablePointer<Vec>
    private let input: UnsafeMutablePointer<Vec>
    private let outputs: UnsafeMutablePointer<Vec>
    private let gradient: UnsafeMutablePointer<Vec>
    private let scratch: UnsafeMutablePointer<Vec>
    private let inputGradient: UnsafeMutablePointer<Vec>
    private let labels: UnsafeMutablePointer<VecInts>
    private let values: UnsafeMutablePointer<Vec>
    /// Rows per batch (the last batch of an epoch may have fewer).
    let batch: Int
    /// Per layer, the vecWidth terms of an input gradient's tree (layers × vecWidth).
    private let products: UnsafeMutablePointer<Vec>
    private let layers: Int
    /// Every element's index, 0..<parameterCount; and the real elements' (each layer's weight rows and bias up to its outputs).
    private let allElements: UnsafeMutablePointer<Int>
    private let realElements: UnsafeMutablePointer<Int>
    private let realCount: Int
    /// dims[0...layers] of the layout, then each layer's weight offset, then its bias offset.
    private let shape: UnsafeMutablePointer<Int>

    init(layout: MLPLayout, activation: Activation, lossKind: LossKind, optimizer: OptimizerKind, nesterov: Bool, batch: Int) {
        precondition(!layout.batchNorm && layout.dims.allSatisfy { $0 <= vecWidth } && batch >= 1, "lockstep nets are narrow")
        self.batch = batch
        self.layout = layout
        self.activation = activation
        self.lossKind = lossKind
        self.optimizer = optimizer
        self.nesterov = nesterov
        let p = layout.parameterCount
        parameterCount = p
        func zeroed(_ n: Int) -> UnsafeMutablePointer<Vec> {
            let b = UnsafeMutablePointer<Vec>.allocate(capacity: max(n, 1))
            b.initialize(repeating: Vec(), count: max(n, 1))
            return b
        }
        params = zeroed(p)
        grads = zeroed(p)
        first = zeroed(optimizer == .sgd ? 0 : p)
        second = zeroed(optimizer == .adam || optimizer == .adamw ? p : 0)
        input = zeroed(batch * vecWidth)
        outputs = zeroed(batch * layout.layers * vecWidth)
        gradient = zeroed(batch * vecWidth)
        scratch = zeroed(vecWidth)
        inputGradient = zeroed(batch * vecWidth)
        labels = .allocate(capacity: batch)
        labels.initialize(repeating: VecInts(), count: batch)
        values = zeroed(batch)
        products = zeroed(layout.layers * vecWidth)
        layers = layout.layers
        shape = .allocate(capacity: 3 * layers + 1)
        for l in 0...layers { shape[l] = layout.dims[l] }
        for l in 0..<layers {
            shape[layers + 1 + l] = layout.weightOffsets[l]
            shape[2 * layers + 1 + l] = layout.biasOffsets[l]
        }
        allElements = .allocate(capacity: p)
        for e in 0..<p { allElements[e] = e }
        var real: [Int] = []
        for l in 0..<layers {
            let outDim = layout.dims[l + 1]
            for i in 0..<layout.dims[l] { real += (0..<outDim).map { layout.weightOffsets[l] + i * vecWidth + $0 } }
            real += (0..<outDim).map { layout.biasOffsets[l] + $0 }
        }
        realCount = real.count
        realElements = .allocate(capacity: real.count)
        realElements.initialize(from: real, count: real.count)
    }

    deinit {
        for b in [params, grads, first, second, input, outputs, gradient, scratch, inputGradient, products, values] { b.deallocate() }
        shape.deallocate()
        labels.deallocate()
        allElements.deallocate()
        realElements.deallocate()
    }

    @inline(__always) private func dim(_ l: Int) -> Int { shape[l] }
    @inline(__always) private func weightOffset(_ l: Int) -> Int { shape[layers &+ 1 &+ l] }
    @inline(__always) private func biasOffset(_ l: Int) -> Int { shape[2 &* layers &+ 1 &+ l] }
    /// Row b's input, layer l's output for row b, row b's gradient and input gradient (vecWidth vectors each).
    @inline(__always) private func inputRow(_ b: Int) -> UnsafeMutablePointer<Vec> { input + b &* vecWidth }
    @inline(__always) private func outputRow(_ b: Int, _ l: Int) -> UnsafeMutablePointer<Vec> { outputs + (b &* layers &+ l) &* vecWidth }
    @inline(__always) private func gradientRow(_ b: Int) -> UnsafeMutablePointer<Vec> { gradient + b &* vecWidth }
    @inline(__always) private func inputGradientRow(_ b: Int) -> UnsafeMutablePointer<Vec> { inputGradient + b &* vecWidth }

    /// Copies `count` floats of one trial's buffer into lane `lane` of `lanes`.
    static func load(_ lanes: UnsafeMutablePointer<Vec>, lane: Int, from p: UnsafePointer<Float>, count: Int) {
        for e in 0..<count { lanes[e][lane] = p[e] }
    }

    /// Copies lane `lane` of `lanes` back into one trial's buffer of `count` floats.
    static func store(_ lanes: UnsafePointer<Vec>, lane: Int, to p: UnsafeMutablePointer<Float>, count: Int) {
        for e in 0..<count { p[e] = lanes[e][lane] }
    }

    /// Row b's feature `p` for every lane (dims[0] of them; the rest of a solo row's vector is zero).
    @inline(__always) func setInput(row b: Int, _ p: Int, _ x: Vec) { inputRow(b)[p] = x }

    /// Row b's class or target for every lane.
    @inline(__always) func setTarget(row b: Int, labels: VecInts, values: Vec) {
        self.labels[b] = labels
        self.values[b] = values
    }

    /// Whether the steps may skip the pad elements: every pad of the parameters, gradients and
    /// optimizer state is +0 in every lane, where a solo step keeps it (see `startEpoch`).
    private(set) var skipsPads = false

    /// Decides, before an epoch's steps, whether they may skip the pad elements.
    ///
    /// A solo step leaves a pad element at +0 as long as it is +0 and each layer's real inputs are
    /// finite (an input of ±∞ or NaN times a pad's zero gradient is NaN): its gradient is 0 + x · (+0),
    /// and every update rule maps a +0 parameter, gradient and state to +0 again — except adamw
    /// with a negative decay factor (lr · weight decay > 1), which makes −0. The pads' terms in the
    /// input gradient's tree are then +0 too, which the tree still adds. So with every pad at +0
    /// and no such adamw lane, a step may compute only the real units and leave the pads as they
    /// are; `step` checks the inputs each step (and, for batches of more than one row, the real
    /// gradients too: an infinite one makes the transposed weight's chain NaN in the pad units) and
    /// takes every element again from the first step where one is not finite.
    func startEpoch(rates: LaneRates) {
        skipsPads = optimizer != .adamw || all(rates.decay .>= Vec())
        let adam = optimizer == .adam || optimizer == .adamw
        let buffers = [params, grads] + (optimizer == .sgd ? [] : [first]) + (adam ? [second] : [])
        for l in 0..<layers where skipsPads {
            // The weight's rows, then (i == inDim) the bias: their elements past the outputs.
            for i in 0...dim(l) {
                let row = i < dim(l) ? weightOffset(l) &+ i &* vecWidth : biasOffset(l)
                for buffer in buffers {
                    for j in dim(l &+ 1)..<vecWidth where any(buffer[row &+ j].bitPattern() .!= VecBits()) { skipsPads = false }
                }
            }
        }
        // A pad's term in the input gradient's tree is then +0, and the steps leave it there.
        if skipsPads { products.update(repeating: Vec(), count: layers &* vecWidth) }
    }

    /// One training step of every lane on the `rows` rows set by `setInput` and `setTarget`: forward,
    /// the loss and its gradient, backward and the update with the lanes' own rates. Returns each
    /// lane's loss sum over the rows (in row order, from zero, as `lossForwardBackward` adds it) and
    /// how many of its rows it predicted right.
    @inline(__always)
    func step(rows: Int, rates: LaneRates) -> (total: DoubleVec, right: VecInts) {
        if skipsPads {
            if forward(pads: false, rows: rows) {
                let result = losses(rows: rows)
                if backward(pads: false, rows: rows) {
                    update(rates, elements: realElements, count: realCount)
                    return result
                }
            }
            // Inputs or gradients that are not finite: the pads change from here on, so this step again with every element.
            skipsPads = false
        }
        _ = forward(pads: true, rows: rows)
        let result = losses(rows: rows)
        _ = backward(pads: true, rows: rows)
        update(rates, elements: allElements, count: parameterCount)
        return result
    }

    /// Each lane's loss on row 0 as set by `setInput` and `setTarget`, and whether it predicts its
    /// label, in evaluation mode (no gradient). Only the real units: the pads' outputs reach neither
    /// the loss nor the prediction.
    @inline(__always)
    func evaluate() -> (loss: Vec, right: SIMDMask<VecInts>) {
        _ = forward(pads: false, rows: 1)
        return loss(logits: UnsafePointer(outputRow(0, layers &- 1)), labels: labels[0], values: values[0], scale: 1, gradient: nil)
    }

    /// The loss and its gradient of each row, scaled by 1 / rows: their sum per lane from zero, and the rows predicted right.
    @inline(__always)
    private func losses(rows: Int) -> (total: DoubleVec, right: VecInts) {
        let scale = 1 / Float(rows)
        var total = DoubleVec(), right = VecInts()
        for b in 0..<rows {
            let (loss, hit) = loss(logits: UnsafePointer(outputRow(b, layers &- 1)), labels: labels[b], values: values[b],
                                   scale: scale, gradient: gradientRow(b))
            for t in 0..<vecWidth { total[t] += Double(loss[t]) }
            right &+= VecInts(repeating: 1).replacing(with: 0, where: .!hit)
        }
        return (total, right)
    }

    // MARK: - Forward and loss

    /// Each layer's output units for each of `rows` rows (with `pads`, all vecWidth of them; else the
    /// real ones), `narrowRowForward` lane by lane. Returns whether every layer's real inputs were finite.
    @inline(__always)
    private func forward(pads: Bool, rows: Int) -> Bool {
        let w = vecWidth
        var finite = SIMDMask<VecInts>(repeating: true)
        for b in 0..<rows {
            var inp = UnsafePointer(inputRow(b))
            for l in 0..<layers {
                let inDim = dim(l), units = pads ? w : dim(l &+ 1)
                // |x| < ∞ (NaN fails it), on the bits.
                for p in 0..<inDim { finite .&= isFinite(inp[p]) }
                let weight = params + weightOffset(l), bias = params + biasOffset(l)
                let out = outputRow(b, l)
                for j in 0..<units {
                    // bias + Σ_p inp[p] · weight[p][j], one chain in order of p.
                    var x = bias[j]
                    for p in 0..<inDim { x = fused(x, inp[p], weight[p &* w &+ j]) }
                    out[j] = x
                }
                if l &+ 1 < layers { activate(out, units: units) }
                inp = UnsafePointer(out)
            }
        }
        return all(finite)
    }

    /// The lanes whose |x| < ∞ (NaN is not), on the bits.
    @inline(__always)
    private func isFinite(_ x: Vec) -> SIMDMask<VecInts> {
        (x.bitPattern() & VecBits(repeating: 0x7fff_ffff)) .< VecBits(repeating: 0x7f80_0000)
    }

    /// The hidden activation of a layer's first `units` units, in place (the activation's own vector form, which a solo row takes too).
    @inline(__always)
    private func activate(_ x: UnsafeMutablePointer<Vec>, units w: Int) {
        switch activation {
        case .relu: for j in 0..<w { x[j] = reluForward(x[j]) }
        case .tanh: for j in 0..<w { x[j] = tanhVector(x[j]) }
        case .sigmoid: for j in 0..<w { x[j] = sigmoid(x[j]) }
        case .selu: for j in 0..<w { x[j] = seluForward(x[j]) }
        }
    }

    /// Each lane's loss of its logits and whether it predicts its label; with `gradient`, the loss's
    /// gradient with respect to the logits into `gradient` (zero past the outputs), as the one-row
    /// path of `lossForwardBackward` computes them.
    @inline(__always)
    private func loss(logits z: UnsafePointer<Vec>, labels: VecInts, values: Vec, scale: Float,
                      gradient: UnsafeMutablePointer<Vec>?) -> (Vec, SIMDMask<VecInts>) {
        let w = vecWidth
        if let gradient { for j in 0..<w { gradient[j] = Vec() } }
        switch lossKind {
        case .softmaxCrossEntropy(let classes):
            var maxZ = z[0]
            for c in 1..<classes { maxZ = maxZ.replacing(with: z[c], where: z[c] .>= maxZ) }  // Swift's max(x, z)
            // Σ e^(z − max) class by class from zero; the predicted class is the first largest logit.
            var sum = Vec(), atLabel = Vec()
            var best = z[0], predicted = VecInts()
            for c in 0..<classes {
                let e = expVector(z[c] - maxZ)
                scratch[c] = e
                sum += e
                atLabel.replace(with: z[c], where: labels .== VecInts(repeating: Int32(c)))
                if c > 0 {
                    let better = z[c] .> best
                    best.replace(with: z[c], where: better)
                    predicted.replace(with: VecInts(repeating: Int32(c)), where: better)
                }
            }
            if let gradient {
                let factor = Vec(repeating: scale) / sum
                for c in 0..<classes {
                    // − scale at the label; subtracting +0 elsewhere leaves a lane as it is.
                    let minus = Vec(repeating: scale).replacing(with: 0, where: labels .!= VecInts(repeating: Int32(c)))
                    gradient[c] = scratch[c] * factor - minus
                }
            }
            return (logVector(sum) - (atLabel - maxZ), predicted .== labels)
        case .binaryCrossEntropy:
            let x = z[0]
            var y = Vec()
            for i in 0..<w { y[i] = Float(labels[i]) }
            // max(z, 0) − z·y + ln(1 + e^−|z|), and σ(z) from the same e^−|z|.
            let e = expVector(Vec(bitPattern: x.bitPattern() | 0x8000_0000))
            var softplus = Vec()
            for i in 0..<w { softplus[i] = logarithmOnePlus(e[i]) }
            let positive = x .>= Vec()
            let larger = x.replacing(with: 0, where: Vec() .>= x)  // Swift's max(z, 0): 0 >= z ? 0 : z
            let one = Vec(repeating: 1)
            let sig = (e / (one + e)).replacing(with: one / (one + e), where: positive)
            gradient?[0] = (sig - y) * scale
            let predicted = VecInts(repeating: 0).replacing(with: 1, where: positive)
            return (larger - x * y + softplus, predicted .== labels)
        case .meanSquaredError:
            let d = z[0] - values
            gradient?[0] = 2 * d * scale
            return (d * d, VecInts() .!= VecInts())
        }
    }

    // MARK: - Backward

    /// `narrowLinearBackward` layer by layer from the logits' gradients, lane by lane: dW[i][j] = Σ_b
    /// inp[b][i] · g[b][j] and dbias = Σ_b g[b], each a chain over the rows from zero; the input
    /// gradient by the rule `inputGradientTransposes` picks for the row count — `laneSum`'s tree over
    /// all vecWidth units (zero past inDim), or the chain over the outputs of Wᵀ's column (whose pads
    /// are zero) — then through the activation as the passes take it (every unit, pads included).
    /// Without `pads`, the real units only (a pad's term in the tree is then the +0 it would be); it
    /// then returns whether every real gradient was finite (one that is not makes the pads' terms NaN).
    @inline(__always)
    private func backward(pads: Bool, rows: Int) -> Bool {
        if rows == 1 { return backwardRow(pads: pads) }
        let w = vecWidth
        let transposes = inputGradientTransposes(rows: rows, outPad: w)
        var finite = SIMDMask<VecInts>(repeating: true)
        var l = layers &- 1
        while l >= 0 {
            let inDim = dim(l), outDim = dim(l &+ 1), units = pads ? w : outDim
            if !pads { for b in 0..<rows { for j in 0..<outDim { finite .&= isFinite(gradientRow(b)[j]) } } }
            let weight = params + weightOffset(l)
            let dweight = grads + weightOffset(l), dbias = grads + biasOffset(l)
            @inline(__always) func inp(_ b: Int) -> UnsafePointer<Vec> { UnsafePointer(l > 0 ? outputRow(b, l &- 1) : inputRow(b)) }
            // Eight units' chains at a time in registers, so that they overlap (one chain over 64 rows
            // would wait on each multiply-add); units past `units` are computed from what their
            // buffers hold and not stored.
            for j0 in stride(from: 0, to: units, by: 8) {
                for i in 0..<inDim {
                    var x0 = Vec(), x1 = Vec(), x2 = Vec(), x3 = Vec(), x4 = Vec(), x5 = Vec(), x6 = Vec(), x7 = Vec()
                    for b in 0..<rows {
                        let a = inp(b)[i], g = gradientRow(b) + j0
                        x0 = fused(x0, a, g[0]); x1 = fused(x1, a, g[1]); x2 = fused(x2, a, g[2]); x3 = fused(x3, a, g[3])
                        x4 = fused(x4, a, g[4]); x5 = fused(x5, a, g[5]); x6 = fused(x6, a, g[6]); x7 = fused(x7, a, g[7])
                    }
                    storeUnits(dweight + (i &* w &+ j0), x0, x1, x2, x3, x4, x5, x6, x7, count: units &- j0)
                }
                var x0 = Vec(), x1 = Vec(), x2 = Vec(), x3 = Vec(), x4 = Vec(), x5 = Vec(), x6 = Vec(), x7 = Vec()
                for b in 0..<rows {
                    let g = gradientRow(b) + j0
                    x0 += g[0]; x1 += g[1]; x2 += g[2]; x3 += g[3]; x4 += g[4]; x5 += g[5]; x6 += g[6]; x7 += g[7]
                }
                storeUnits(dbias + j0, x0, x1, x2, x3, x4, x5, x6, x7, count: units &- j0)
            }
            guard l > 0 else { break }
            let terms = products + l &* w  // past `units` they stay the +0 `startEpoch` left
            for b in 0..<rows {
                let g = gradientRow(b), d = inputGradientRow(b)
                if transposes {
                    // Σ_o g[o] · Wᵀ[o][i] from zero; Wᵀ's pad lanes are zero.
                    for i in 0..<(pads ? w : inDim) {
                        var x = Vec()
                        for o in 0..<outDim { x = fused(x, g[o], i < inDim ? weight[i &* w &+ o] : Vec()) }
                        d[i] = x
                    }
                } else {
                    for i in 0..<inDim {
                        for j in 0..<units { terms[j] = fused(Vec(), g[j], weight[i &* w &+ j]) }
                        d[i] = treeSum(terms)
                    }
                    if pads { for i in inDim..<w { d[i] = Vec() } }
                }
                let out = inp(b)
                for j in 0..<(pads ? w : inDim) { g[j] = derivative(d[j], out: out[j]) }
            }
            l &-= 1
        }
        return all(finite)
    }

    /// Stores the first `count` (at most 8) of eight units' vectors at `p`.
    @inline(__always)
    private func storeUnits(_ p: UnsafeMutablePointer<Vec>, _ x0: Vec, _ x1: Vec, _ x2: Vec, _ x3: Vec,
                            _ x4: Vec, _ x5: Vec, _ x6: Vec, _ x7: Vec, count: Int) {
        p[0] = x0
        if count > 1 { p[1] = x1 }
        if count > 2 { p[2] = x2 }
        if count > 3 { p[3] = x3 }
        if count > 4 { p[4] = x4 }
        if count > 5 { p[5] = x5 }
        if count > 6 { p[6] = x6 }
        if count > 7 { p[7] = x7 }
    }

    /// `backward` of one row, as `narrowRowBackward` takes it: each chain one step from zero, the input
    /// gradient by `dot1`'s tree, whose pad lanes are exactly zero — so no gradient makes a pad NaN
    /// here, and it returns true. (The general loops cost a single row twice the instructions.)
    @inline(__always)
    private func backwardRow(pads: Bool) -> Bool {
        let w = vecWidth, gradient = gradientRow(0), inputGradient = inputGradientRow(0)
        var l = layers &- 1
        while l >= 0 {
            let inDim = dim(l), units = pads ? w : dim(l &+ 1)
            let inp = UnsafePointer(l > 0 ? outputRow(0, l &- 1) : inputRow(0))
            let weight = params + weightOffset(l)
            let dweight = grads + weightOffset(l), dbias = grads + biasOffset(l)
            for i in 0..<inDim {
                for j in 0..<units { dweight[i &* w &+ j] = fused(Vec(), inp[i], gradient[j]) }
            }
            for j in 0..<units { dbias[j] = Vec() + gradient[j] }
            guard l > 0 else { break }
            let terms = products + l &* w  // past `units` they stay the +0 `startEpoch` left
            for i in 0..<inDim {
                for j in 0..<units { terms[j] = fused(Vec(), gradient[j], weight[i &* w &+ j]) }
                inputGradient[i] = treeSum(terms)
            }
            for j in 0..<(pads ? w : inDim) {
                let d = j < inDim ? inputGradient[j] : Vec()
                gradient[j] = derivative(d, out: inp[j])
            }
            l &-= 1
        }
        return true
    }

    /// A gradient through the hidden activation given its output, as `reluBackward` and `activationBackward` take it.
    @inline(__always)
    private func derivative(_ g: Vec, out o: Vec) -> Vec {
        switch activation {
        case .relu: return reluBackward(g, out: o)
        case .tanh: return g * (1 - o * o)
        case .sigmoid: return g * (o * (1 - o))
        case .selu:
            return g * (o + Vec(repeating: seluScale * seluAlpha)).replacing(with: Vec(repeating: seluScale), where: o .> Vec())
        }
    }

    // MARK: - Update

    /// `Optimizer.update`'s rule (`UpdateRule`) lane by lane, with each lane's rates, on the `count`
    /// elements listed in `elements`.
    private func update(_ r: LaneRates, elements: UnsafePointer<Int>, count: Int) {
        switch optimizer {
        case .sgd:
            for k in 0..<count {
                let e = elements[k]
                params[e] = UpdateRule.sgd(params[e], grads[e], lr: r.lr, weightDecay: r.weightDecay)
            }
        case .momentum:
            for k in 0..<count {
                let e = elements[k]
                (params[e], first[e]) = UpdateRule.momentum(params[e], grads[e], buffer: first[e], lr: r.lr, momentum: r.momentum,
                                                            weightDecay: r.weightDecay, nesterov: nesterov)
            }
        case .adam, .adamw:
            let decoupled = optimizer == .adamw
            for k in 0..<count {
                let e = elements[k]
                (params[e], first[e], second[e]) = UpdateRule.adam(
                    params[e], grads[e], first: first[e], second: second[e], stepSize: r.stepSize,
                    invRootCorrection2: r.invRootCorrection2, decay: r.decay, weightDecay: r.weightDecay, decoupled: decoupled)
            }
        }
    }
}

/// One step's update rates of each lane's trial, the constants of `Optimizer.update` lane by lane.
struct LaneRates {
    var lr = Vec()
    var weightDecay = Vec()
    var momentum = Vec()
    /// Adam: lr / (1 − β₁ᵗ), 1 / √(1 − β₂ᵗ), and adamw's 1 − lr · decay.
    var stepSize = Vec()
    var invRootCorrection2 = Vec()
    var decay = Vec()
}
