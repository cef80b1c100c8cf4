import NNSearchKernel

// Names other tools give our hyperparameters (Keras, scikit-learn, PyTorch tutorials, Optuna
// examples), so an unknown key that is one of them is answered with the name we use.

extension Hyperparameter {
    /// Another tool's name → ours. One small table; `suggestion(for:)` is its only reader.
    static let aliases: [String: String] = [
        "learning_rate": "lr",
        "lr_schedule": "schedule",
        "lr_scheduler": "schedule",
        "scheduler": "schedule",
        "hidden_layers": "depth",
        "num_layers": "depth",
        "n_layers": "depth",
        "units": "width",
        "hidden_units": "width",
        "hidden_size": "width",
        "n_epochs": "epochs",
        "num_epochs": "epochs",
        "max_epochs": "epochs",
        "optim": "optimizer",
        "batch": "batch_size",
        "dropout_rate": "dropout",
        "l2": "weight_decay",
        "normalization": "normalize",
        "initialization": "init",
        "initializer": "init",
        "weight_init": "init",
        "kernel_initializer": "init",
    ]

    /// " (did you mean "lr"?)" for an unknown name: its alias when it is one (`learning_rate`),
    /// else the closest known name within a small edit distance, else "".
    static func suggestion(for name: String) -> String {
        if let canonical = aliases[name.lowercased()] { return " (did you mean \"\(canonical)\"?)" }
        return didYouMean(name, names)
    }
}
