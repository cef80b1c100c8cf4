/// The learned values of a network, without padding: what a saved model holds, and what
/// `MLP(weights:)` loads back bit for bit.
package struct MLPWeights: Equatable, Sendable {
    /// Feature counts: inputs, then one per hidden layer, then outputs.
    package var dims: [Int]
    /// The nonlinearity after every hidden layer.
    package var activation: Activation
    /// Per linear layer l: its weight, dims[l] × dims[l+1] row-major (output j of row x is
    /// bias[j] + Σᵢ x[i] · weight[i · dims[l+1] + j]), and its bias, dims[l+1] floats.
    package var weights: [[Float]]
    package var biases: [[Float]]
    /// The batch-norm layer on the input, when the network has one.
    package var batchNorm: BatchNormWeights?

    package init(dims: [Int], activation: Activation, weights: [[Float]], biases: [[Float]], batchNorm: BatchNormWeights?) {
        self.dims = dims
        self.activation = activation
        self.weights = weights
        self.biases = biases
        self.batchNorm = batchNorm
    }

    /// The first shape that does not fit `dims` (a sentence naming it), or nil when every one does.
    package var shapeProblem: String? {
        guard dims.count >= 2, dims.allSatisfy({ $0 > 0 }) else { return "an MLP needs at least an input and an output" }
        let layers = dims.count - 1
        guard weights.count == layers, biases.count == layers else {
            return "\(layers) linear layers need \(layers) weights and biases, found \(weights.count) and \(biases.count)"
        }
        for l in 0..<layers {
            if weights[l].count != dims[l] * dims[l + 1] { return "layer \(l + 1): the weight has \(weights[l].count) numbers, expected \(dims[l]) × \(dims[l + 1])" }
            if biases[l].count != dims[l + 1] { return "layer \(l + 1): the bias has \(biases[l].count) numbers, expected \(dims[l + 1])" }
        }
        if let bn = batchNorm {
            for (name, values) in [("gamma", bn.gamma), ("beta", bn.beta), ("running_mean", bn.runningMean), ("running_var", bn.runningVar)]
            where values.count != dims[0] {
                return "batch norm: \(name) has \(values.count) numbers, expected \(dims[0])"
            }
        }
        return nil
    }
}

/// A batch-norm layer's scale, shift and running statistics (evaluation uses the running ones:
/// out = gamma · (x − running_mean) / √(running_var + ε) + beta, ε = `BatchNormWeights.epsilon`).
package struct BatchNormWeights: Equatable, Sendable {
    package var gamma: [Float]
    package var beta: [Float]
    package var runningMean: [Float]
    package var runningVar: [Float]

    /// The ε the kernel adds to the variance.
    package static var epsilon: Float { batchNormEpsilon }

    package init(gamma: [Float], beta: [Float], runningMean: [Float], runningVar: [Float]) {
        self.gamma = gamma
        self.beta = beta
        self.runningMean = runningMean
        self.runningVar = runningVar
    }
}

extension MLP {
    /// The network's learned values and statistics, unpadded.
    package var weights: MLPWeights {
        let d = layout.dims
        var ws = [[Float]](), bs = [[Float]]()
        for l in 0..<layout.layers {
            let ld = padded(d[l + 1]), w = weight(l), b = bias(l)
            var matrix = [Float]()
            matrix.reserveCapacity(d[l] * d[l + 1])
            for i in 0..<d[l] { for o in 0..<d[l + 1] { matrix.append(w[i * ld + o]) } }
            ws.append(matrix)
            bs.append((0..<d[l + 1]).map { b[$0] })
        }
        let bn = layout.batchNorm ? BatchNormWeights(
            gamma: (0..<d[0]).map { gamma[$0] }, beta: (0..<d[0]).map { beta[$0] },
            runningMean: (0..<d[0]).map { runningMean.pointer[$0] }, runningVar: (0..<d[0]).map { runningVar.pointer[$0] }) : nil
        return MLPWeights(dims: d, activation: activation, weights: ws, biases: bs, batchNorm: bn)
    }

    /// A network for evaluation holding exactly `w` (dropout off: inference never drops).
    /// `w.shapeProblem` must be nil.
    package convenience init(weights w: MLPWeights) {
        precondition(w.shapeProblem == nil, w.shapeProblem ?? "")
        self.init(layout: MLPLayout(dims: w.dims, batchNorm: w.batchNorm != nil), activation: w.activation, dropout: 0)
        let d = layout.dims
        for l in 0..<layout.layers {
            let ld = padded(d[l + 1]), p = weight(l), b = bias(l)
            for i in 0..<d[l] { for o in 0..<d[l + 1] { p[i * ld + o] = w.weights[l][i * d[l + 1] + o] } }
            for o in 0..<d[l + 1] { b[o] = w.biases[l][o] }
        }
        if let bn = w.batchNorm {
            for c in 0..<d[0] {
                gamma[c] = bn.gamma[c]
                beta[c] = bn.beta[c]
                runningMean.pointer[c] = bn.runningMean[c]
                runningVar.pointer[c] = bn.runningVar[c]
            }
        }
    }
}
