import Foundation

/// An update rule over one flat parameter buffer, with its state (momentum, Adam moments).
///
/// Follows PyTorch's `torch.optim` formulas, so a step can be checked against them:
/// L2 weight decay is added to the gradient for sgd, momentum and adam; adamw decays
/// the parameters directly (Loshchilov & Hutter).
final class Optimizer {
    let kind: OptimizerKind
    let momentum: Float
    let nesterov: Bool
    let weightDecay: Float
    /// Steps taken so far (Adam's bias correction uses it).
    var step = 0
    /// Momentum buffer, or Adam's first moment.
    let first: FloatBuffer
    /// Adam's second moment.
    let second: FloatBuffer

    init(kind: OptimizerKind, count: Int, momentum: Double, nesterov: Bool, weightDecay: Double) {
        self.kind = kind
        self.momentum = Float(momentum)
        self.nesterov = nesterov
        self.weightDecay = Float(weightDecay)
        first = FloatBuffer(count: kind == .sgd ? 0 : count)
        second = FloatBuffer(count: kind == .adam || kind == .adamw ? count : 0)
    }

    /// Applies one update with learning rate `lr`. `count` is a multiple of the vector width.
    func update(_ params: UnsafeMutablePointer<Float>, _ grads: UnsafePointer<Float>, count: Int, lr: Double) {
        step += 1
        let w = vecWidth
        let lrV = Vec(repeating: Float(lr))
        let wd = Vec(repeating: weightDecay)
        switch kind {
        case .sgd:
            for i in stride(from: 0, to: count, by: w) {
                UpdateRule.sgd(Vec.load(params + i), Vec.load(grads + i), lr: lrV, weightDecay: wd).store(params + i)
            }
        case .momentum:
            let mu = Vec(repeating: momentum)
            let buf = first.pointer
            for i in stride(from: 0, to: count, by: w) {
                let (p, b) = UpdateRule.momentum(Vec.load(params + i), Vec.load(grads + i), buffer: Vec.load(buf + i),
                                                 lr: lrV, momentum: mu, weightDecay: wd, nesterov: nesterov)
                b.store(buf + i)
                p.store(params + i)
            }
        case .adam, .adamw:
            let (correction1, root) = UpdateRule.adamCorrections(step: step)
            let stepSize = Vec(repeating: UpdateRule.adamStepSize(lr: lr, correction1: correction1))
            let invRootCorrection2 = Vec(repeating: root)
            let decay = Vec(repeating: UpdateRule.decoupledDecay(lr: lr, weightDecay: weightDecay))
            let m = first.pointer, v = second.pointer
            let decoupled = kind == .adamw
            for i in stride(from: 0, to: count, by: w) {
                let (p, mi, vi) = UpdateRule.adam(Vec.load(params + i), Vec.load(grads + i), first: Vec.load(m + i), second: Vec.load(v + i),
                                                  stepSize: stepSize, invRootCorrection2: invRootCorrection2,
                                                  decay: decay, weightDecay: wd, decoupled: decoupled)
                mi.store(m + i)
                vi.store(v + i)
                p.store(params + i)
            }
        }
    }
}

/// The update rules' arithmetic on one vector of elements, which `Optimizer.update` and the lockstep
/// lanes (`LockstepNet`, a trial per lane with its own rates) share, so both compute the same bits.
/// Rates are vectors: one value repeated, or one per lane.
enum UpdateRule {
    static let beta1: Float = 0.9
    static let beta2: Float = 0.999
    static let epsilon: Float = 1e-8

    /// SGD with L2 weight decay added to the gradient: p − lr · (g + wd · p).
    @inline(__always)
    static func sgd(_ p: Vec, _ g: Vec, lr: Vec, weightDecay: Vec) -> Vec {
        p - lr * (g + weightDecay * p)
    }

    /// Momentum (PyTorch's: b = μ·b + g, then p − lr·b, or p − lr·(g + μ·b) with Nesterov): the new
    /// parameters and buffer.
    @inline(__always)
    static func momentum(_ p: Vec, _ grad: Vec, buffer: Vec, lr: Vec, momentum mu: Vec, weightDecay: Vec,
                         nesterov: Bool) -> (params: Vec, buffer: Vec) {
        let g = grad + weightDecay * p
        let b = mu * buffer + g
        let u = nesterov ? g + mu * b : b
        return (p - lr * u, b)
    }

    /// Adam, or adamw (`decoupled`: the parameters decayed by `decay` instead of the gradient's L2
    /// term): the new parameters and moments.
    @inline(__always)
    static func adam(_ param: Vec, _ grad: Vec, first: Vec, second: Vec, stepSize: Vec, invRootCorrection2: Vec,
                     decay: Vec, weightDecay: Vec, decoupled: Bool) -> (params: Vec, first: Vec, second: Vec) {
        var p = param, g = grad
        if decoupled { p *= decay } else { g += weightDecay * p }
        let m = Vec(repeating: beta1) * first + Vec(repeating: 1 - beta1) * g
        let v = Vec(repeating: beta2) * second + Vec(repeating: 1 - beta2) * g * g
        let denom = v.squareRoot() * invRootCorrection2 + Vec(repeating: epsilon)  // vsqrtps: see Package.swift
        return (p - stepSize * m / denom, m, v)
    }

    /// Adam's bias corrections for its `step`-th update (from 1): 1 − β₁ᵗ (the step size is
    /// lr / it: `adamStepSize`) and 1 / √(1 − β₂ᵗ).
    @inline(__always)
    static func adamCorrections(step: Int) -> (correction1: Double, invRootCorrection2: Float) {
        let t = Double(step)
        let correction2 = 1 - pow(Double(beta2), t)
        return (1 - pow(Double(beta1), t), Float(1 / correction2.squareRoot()))
    }

    /// Adam's step size lr / (1 − β₁ᵗ).
    @inline(__always)
    static func adamStepSize(lr: Double, correction1: Double) -> Float { Float(lr / correction1) }

    /// adamw's factor on the parameters: 1 − lr · weight decay.
    @inline(__always)
    static func decoupledDecay(lr: Double, weightDecay: Float) -> Float { Float(1 - lr * Double(weightDecay)) }
}
