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
    let beta1: Float = 0.9
    let beta2: Float = 0.999
    let epsilon: Float = 1e-8
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
                let p = Vec.load(params + i)
                let g = Vec.load(grads + i) + wd * p
                (p - lrV * g).store(params + i)
            }
        case .momentum:
            let mu = Vec(repeating: momentum)
            let buf = first.pointer
            for i in stride(from: 0, to: count, by: w) {
                let p = Vec.load(params + i)
                let g = Vec.load(grads + i) + wd * p
                let b = mu * Vec.load(buf + i) + g
                b.store(buf + i)
                let u = nesterov ? g + mu * b : b
                (p - lrV * u).store(params + i)
            }
        case .adam, .adamw:
            let t = Double(step)
            let correction1 = 1 - pow(Double(beta1), t)
            let correction2 = 1 - pow(Double(beta2), t)
            let stepSize = Vec(repeating: Float(lr / correction1))
            let invRootCorrection2 = Vec(repeating: Float(1 / correction2.squareRoot()))
            let b1 = Vec(repeating: beta1), b2 = Vec(repeating: beta2)
            let c1 = Vec(repeating: 1 - beta1), c2 = Vec(repeating: 1 - beta2)
            let eps = Vec(repeating: epsilon)
            let decay = Vec(repeating: Float(1 - lr * Double(weightDecay)))
            let m = first.pointer, v = second.pointer
            let decoupled = kind == .adamw
            for i in stride(from: 0, to: count, by: w) {
                var p = Vec.load(params + i)
                var g = Vec.load(grads + i)
                if decoupled { p *= decay } else { g += wd * p }
                let mi = b1 * Vec.load(m + i) + c1 * g
                let vi = b2 * Vec.load(v + i) + c2 * g * g
                mi.store(m + i)
                vi.store(v + i)
                let denom = vi.squareRoot() * invRootCorrection2 + eps  // vsqrtps: see Package.swift
                (p - stepSize * mi / denom).store(params + i)
            }
        }
    }
}
