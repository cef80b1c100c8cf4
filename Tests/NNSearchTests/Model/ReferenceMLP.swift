import Foundation
@testable import NNSearchKernel

/// A plain Double-precision forward pass and loss of an MLP, read straight from the
/// parameter layout: the reference the kernel's gradients are checked against.
struct ReferenceMLP {
    let layout: MLPLayout
    let activation: Activation
    let lossKind: LossKind

    /// Mean loss of the network with parameters `p` on `x` (rows × dims[0]) in training mode.
    /// `masks[l]` (rows × padded(dims[l+1])) are the dropout masks applied after hidden layer l.
    func loss(_ p: [Double], x: [Double], rows: Int, labels: [Int32], values: [Float], masks: [[Double]]) -> Double {
        let d = layout.dims
        var h = x  // rows × width, dense
        var width = d[0]
        if layout.batchNorm {
            let ld = padded(d[0])
            for c in 0..<width {
                let mean = (0..<rows).reduce(0.0) { $0 + h[$1 * width + c] } / Double(rows)
                let v = (0..<rows).reduce(0.0) { $0 + (h[$1 * width + c] - mean) * (h[$1 * width + c] - mean) } / Double(rows)
                let inv = 1 / (v + Double(batchNormEpsilon)).squareRoot()
                for r in 0..<rows {
                    h[r * width + c] = p[layout.gammaOffset + c] * (h[r * width + c] - mean) * inv + p[layout.gammaOffset + ld + c]
                }
            }
        }
        for l in 0..<layout.layers {
            let out = d[l + 1], ld = padded(out)
            var z = [Double](repeating: 0, count: rows * out)
            for r in 0..<rows {
                for o in 0..<out {
                    var s = p[layout.biasOffsets[l] + o]
                    for i in 0..<width { s += h[r * width + i] * p[layout.weightOffsets[l] + i * ld + o] }
                    z[r * out + o] = s
                }
            }
            if l < layout.layers - 1 {
                for j in 0..<z.count {
                    z[j] = activate(z[j])
                    if !masks.isEmpty { z[j] *= masks[l][(j / out) * ld + j % out] }
                }
            }
            h = z
            width = out
        }
        var total = 0.0
        for r in 0..<rows {
            let z = Array(h[(r * width)..<((r + 1) * width)])
            switch lossKind {
            case .softmaxCrossEntropy:
                let m = z.max()!
                let lse = m + log(z.reduce(0.0) { $0 + exp($1 - m) })
                total += lse - z[Int(labels[r])]
            case .binaryCrossEntropy:
                let y = Double(labels[r])
                total += -(y * log(1 / (1 + exp(-z[0]))) + (1 - y) * log(1 - 1 / (1 + exp(-z[0]))))
            case .meanSquaredError:
                total += (z[0] - Double(values[r])) * (z[0] - Double(values[r]))
            }
        }
        return total / Double(rows)
    }

    private func activate(_ x: Double) -> Double {
        switch activation {
        case .relu: return max(x, 0)
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return 1 / (1 + exp(-x))
        case .selu: return x > 0 ? Double(seluScale) * x : Double(seluScale) * Double(seluAlpha) * (exp(x) - 1)
        }
    }
}
