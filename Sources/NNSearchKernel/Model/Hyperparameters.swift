import Foundation

/// Nonlinearity applied after every hidden layer.
package enum Activation: String, CaseIterable, Sendable {
    case relu, tanh, sigmoid, selu
}

/// How a new network's weights and biases are drawn.
package enum Initialization: String, CaseIterable, Sendable {
    /// Normal weights with the variance matched to the activation (He for relu, Glorot for tanh and
    /// sigmoid, LeCun for selu and the output layer), zero biases.
    case normal
    /// PyTorch's `nn.Linear` default: weights and biases uniform in ±1/√fan_in, for every activation.
    case uniform
}

/// How inputs are normalized before the first layer.
package enum Normalization: String, CaseIterable, Sendable {
    /// Raw features.
    case none
    /// (x - mean) / std with statistics from the training split only.
    case standardize
    /// A BatchNorm layer on the input; running statistics at evaluation.
    case batchnorm
}

/// The parameter update rule.
package enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, momentum, adam, adamw
}

/// Learning rate as a function of the epoch.
package enum Schedule: Equatable, Sendable, CustomStringConvertible {
    case constant
    /// Multiply by `gamma` every `every` epochs.
    case step(every: Int, gamma: Double)
    /// Cosine decay from lr to 0 over the trial's epochs.
    case cosine

    /// The compact form used in CSV files and `--set`: `constant`, `step:10:0.5`, `cosine`.
    package var description: String {
        switch self {
        case .constant: "constant"
        case .cosine: "cosine"
        case .step(let every, let gamma): "step:\(every):\(formatNumber(gamma))"
        }
    }

    /// The learning rate for a 0-based epoch.
    func rate(base: Double, epoch: Int, epochs: Int) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let every, let gamma):
            return base * pow(gamma, Double(epoch / every))
        case .cosine:
            return base * 0.5 * (1 + cos(Double.pi * Double(epoch) / Double(max(epochs, 1))))
        }
    }
}

/// Everything that defines one trial's model and training.
package struct Hyperparameters: Equatable, Sendable {
    package var depth = 2
    package var width = 64
    package var lr = 0.01
    package var optimizer = OptimizerKind.adam
    package var momentum = 0.9
    package var nesterov = false
    /// nil means the optimizer's default: 0.01 for adamw, 0 otherwise.
    package var weightDecay: Double? = nil
    package var schedule = Schedule.constant
    package var batchSize = 32
    package var epochs = 20
    package var activation = Activation.relu
    package var initialization = Initialization.normal
    package var normalize = Normalization.none
    package var dropout = 0.0

    /// The defaults above.
    package init() {}

    /// The weight decay in force for this optimizer.
    package var effectiveWeightDecay: Double { weightDecay ?? (optimizer == .adamw ? 0.01 : 0) }
}
