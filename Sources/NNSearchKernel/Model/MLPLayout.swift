/// The shapes of an MLP and where each parameter lives in its one parameter buffer.
///
/// Layer l maps dims[l] → dims[l+1]; its weight is (dims[l], padded(dims[l+1])) row-major,
/// its bias (padded(dims[l+1])). With batch norm, gamma and beta (padded(dims[0])) come first.
/// Every block starts on a whole vector, and pad entries stay zero forever (zero gradient).
package struct MLPLayout: Equatable, Sendable {
    /// Feature counts: inputs, then one per hidden layer, then outputs.
    package let dims: [Int]
    package let batchNorm: Bool
    let weightOffsets: [Int]
    let biasOffsets: [Int]
    /// Offset of gamma (beta follows at + padded(dims[0])); meaningful when batchNorm.
    let gammaOffset: Int
    /// Total floats in the parameter buffer, padding included.
    let parameterCount: Int

    init(inputs: Int, depth: Int, width: Int, outputs: Int, batchNorm: Bool) {
        self.init(dims: [inputs] + Array(repeating: width, count: depth) + [outputs], batchNorm: batchNorm)
    }

    /// Any feature counts (at least an input and an output); a saved model's shapes.
    package init(dims: [Int], batchNorm: Bool) {
        precondition(dims.count >= 2 && dims.allSatisfy { $0 > 0 }, "an MLP has inputs and outputs")
        self.dims = dims
        self.batchNorm = batchNorm
        var offset = 0
        gammaOffset = 0
        if batchNorm { offset += 2 * padded(dims[0]) }
        var w = [Int](), b = [Int]()
        for l in 0..<(dims.count - 1) {
            w.append(offset)
            offset += dims[l] * padded(dims[l + 1])
            b.append(offset)
            offset += padded(dims[l + 1])
        }
        weightOffsets = w
        biasOffsets = b
        parameterCount = offset
    }

    /// Number of linear layers (depth + 1).
    package var layers: Int { dims.count - 1 }

    /// Trainable parameters, not counting padding.
    package var realParameterCount: Int {
        var n = batchNorm ? 2 * dims[0] : 0
        for l in 0..<layers { n += dims[l] * dims[l + 1] + dims[l + 1] }
        return n
    }

    /// Multiply-add FLOPs of one training step on `rows` rows (forward, weight and input gradients).
    package func trainingFlops(rows: Int) -> Double {
        var flops = 0.0
        for l in 0..<layers {
            let mac = Double(rows * dims[l] * dims[l + 1])
            flops += 2 * mac * (l == 0 ? 2 : 3)   // the first layer needs no input gradient
        }
        return flops
    }
}
