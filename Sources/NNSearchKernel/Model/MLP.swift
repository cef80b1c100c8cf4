import Foundation

/// One network: its layout, its parameter and gradient buffers, and batch-norm running statistics.
package final class MLP {
    package let layout: MLPLayout
    let activation: Activation
    let dropout: Float
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    /// Running mean and variance of the inputs (batch norm only), each padded(dims[0]).
    let runningMean: FloatBuffer
    let runningVar: FloatBuffer

    /// A freshly initialized network; draws its weights (and, `uniform`, its biases) from `rng`.
    ///
    /// `normal` (the default): weights normal with the variance matched to the activation: He
    /// (2/fan_in) for relu, LeCun (1/fan_in) for selu and for the output layer, Glorot
    /// (2/(fan_in+fan_out)) for tanh and sigmoid; biases 0. `uniform`: PyTorch's `nn.Linear`
    /// default, weights and biases uniform in ±1/√fan_in, layer by layer (the weights row by row,
    /// then the biases). Batch-norm gamma starts at 1 and beta at 0.
    convenience init(layout: MLPLayout, activation: Activation, initialization: Initialization = .normal,
                     dropout: Double, rng: inout Random) {
        self.init(layout: layout, activation: activation, dropout: dropout)
        let p = parameters.pointer
        if layout.batchNorm {
            for c in 0..<layout.dims[0] { p[layout.gammaOffset + c] = 1; runningVar.pointer[c] = 1 }
        }
        if initialization == .uniform {
            for l in 0..<layout.layers {
                let bound = 1 / Double(layout.dims[l]).squareRoot()
                let ld = padded(layout.dims[l + 1])
                let w = p + layout.weightOffsets[l], b = p + layout.biasOffsets[l]
                for i in 0..<layout.dims[l] {
                    for o in 0..<layout.dims[l + 1] { w[i * ld + o] = Float((2 * rng.nextDouble() - 1) * bound) }
                }
                for o in 0..<layout.dims[l + 1] { b[o] = Float((2 * rng.nextDouble() - 1) * bound) }
            }
            return
        }
        for l in 0..<layout.layers {
            let fanIn = Double(layout.dims[l]), fanOut = Double(layout.dims[l + 1])
            let variance: Double
            if l == layout.layers - 1 {
                variance = 1 / fanIn
            } else {
                switch activation {
                case .relu: variance = 2 / fanIn
                case .selu: variance = 1 / fanIn
                case .tanh, .sigmoid: variance = 2 / (fanIn + fanOut)
                }
            }
            let std = variance.squareRoot()
            let ld = padded(layout.dims[l + 1])
            let w = p + layout.weightOffsets[l]
            for i in 0..<layout.dims[l] {
                for o in 0..<layout.dims[l + 1] { w[i * ld + o] = Float(rng.nextNormal() * std) }
            }
        }
    }

    /// A network whose every parameter and statistic is zero (filled by the caller).
    init(layout: MLPLayout, activation: Activation, dropout: Double) {
        self.layout = layout
        self.activation = activation
        self.dropout = Float(dropout)
        parameters = FloatBuffer(count: layout.parameterCount)
        gradients = FloatBuffer(count: layout.parameterCount)
        runningMean = FloatBuffer(count: padded(layout.dims[0]))
        runningVar = FloatBuffer(count: padded(layout.dims[0]))
    }

    /// Weight of layer l, (dims[l], padded(dims[l+1])).
    @inline(__always) func weight(_ l: Int) -> UnsafeMutablePointer<Float> { parameters.pointer + layout.weightOffsets[l] }
    /// Bias of layer l, (padded(dims[l+1])).
    @inline(__always) func bias(_ l: Int) -> UnsafeMutablePointer<Float> { parameters.pointer + layout.biasOffsets[l] }
    @inline(__always) func weightGrad(_ l: Int) -> UnsafeMutablePointer<Float> { gradients.pointer + layout.weightOffsets[l] }
    @inline(__always) func biasGrad(_ l: Int) -> UnsafeMutablePointer<Float> { gradients.pointer + layout.biasOffsets[l] }
    var gamma: UnsafeMutablePointer<Float> { parameters.pointer + layout.gammaOffset }
    var beta: UnsafeMutablePointer<Float> { parameters.pointer + layout.gammaOffset + padded(layout.dims[0]) }
    var gammaGrad: UnsafeMutablePointer<Float> { gradients.pointer + layout.gammaOffset }
    var betaGrad: UnsafeMutablePointer<Float> { gradients.pointer + layout.gammaOffset + padded(layout.dims[0]) }
}
