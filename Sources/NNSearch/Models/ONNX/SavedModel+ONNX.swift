import NNSearchKernel

// A saved model as an ONNX graph (opset 13, IR version 7), for onnxruntime and other runtimes:
//
//   input [N, F] (the columns in `inputs.columns` order)
//   → Sub(mean), Mul(1 / std)                          normalize = standardize
//   → BatchNormalization(running statistics)           normalize = batchnorm
//   → Gemm(W, b) → Relu|Tanh|Sigmoid|Selu, per hidden layer (dropout is the identity at inference)
//   → Gemm(W, b) = logits
//   → classes ≥ 3: probabilities = Softmax(logits), label = ArgMax(logits) (first largest, as the kernel)
//     2 classes:  probabilities = Concat(1 − Sigmoid(z), Sigmoid(z)), label = Cast(z ≥ 0)
//     regression: prediction = logits (× std + mean with a target scale)
//
// `label` is the class index (int64, [N]); the class names are in the metadata (`classes`) and in
// the doc string. The arithmetic is float32 throughout, so outputs match `nnsearch predict`'s to
// float rounding, not bit for bit: Sub/Mul round the standardization once more than the kernel
// (which computes it in Double), and runtimes order sums and compute exp their own way.

extension SavedModel {
    /// The ONNX operator set the export imports.
    package static let onnxOpset: Int64 = 13
    /// The ONNX IR version that goes with opset 13.
    package static let onnxIRVersion: Int64 = 7

    /// The model as an ONNX file's bytes; `producerVersion` is nnsearch's version.
    package func onnx(producerVersion: String) -> [UInt8] {
        let n = network
        let features = columns.map(\.name)
        var graph = ONNXGraph(name: "nnsearch_\(origin.search)_trial_\(origin.trial)", doc: onnxDoc)
        graph.inputs.append(.init(name: "input", type: .float, shape: [.parameter("N"), .value(n.dims[0])],
                                  doc: "one row per example: " + features.joined(separator: ", ")))
        var x = "input"
        if let s = standardization {
            graph.constant("standardize_mean", [s.mean.count], s.mean.map { Float($0) })
            graph.constant("standardize_scale", [s.std.count], s.std.map { Float(1 / $0) })
            x = graph.add("Sub", [x, "standardize_mean"], "centered")
            x = graph.add("Mul", [x, "standardize_scale"], "standardized")
        }
        if let bn = n.batchNorm {
            let c = n.dims[0]
            graph.constant("batchnorm_gamma", [c], bn.gamma)
            graph.constant("batchnorm_beta", [c], bn.beta)
            graph.constant("batchnorm_mean", [c], bn.runningMean)
            graph.constant("batchnorm_var", [c], bn.runningVar)
            x = graph.add("BatchNormalization", [x, "batchnorm_gamma", "batchnorm_beta", "batchnorm_mean", "batchnorm_var"],
                          "normalized", [.float("epsilon", BatchNormWeights.epsilon)])
        }
        let layers = n.dims.count - 1
        for l in 0..<layers {
            let w = graph.constant("layer\(l + 1)_weight", [n.dims[l], n.dims[l + 1]], n.weights[l])
            let b = graph.constant("layer\(l + 1)_bias", [n.dims[l + 1]], n.biases[l])
            let last = l == layers - 1
            x = graph.add("Gemm", [x, w, b], last ? "logits" : "layer\(l + 1)_linear")
            if !last {
                let out = "layer\(l + 1)_\(n.activation.rawValue)"
                switch n.activation {
                case .relu: x = graph.add("Relu", [x], out)
                case .tanh: x = graph.add("Tanh", [x], out)
                case .sigmoid: x = graph.add("Sigmoid", [x], out)
                case .selu: x = graph.add("Selu", [x], out, [.float("alpha", 1.6732632423543772), .float("gamma", 1.0507009873554805)])
                }
            }
        }
        let rows = ONNXGraph.Dimension.parameter("N")
        switch target {
        case .classes(_, let labels):
            if labels.count == 2 {
                graph.constant("one", [1], [Float(1)])
                graph.constant("zero", [1], [Float(0)])
                graph.constant("label_shape", [1], [Int64(-1)])
                let p1 = graph.add("Sigmoid", [x], "p_second")
                let p0 = graph.add("Sub", ["one", p1], "p_first")
                graph.add("Concat", [p0, p1], "probabilities", [.int("axis", 1)])
                let positive = graph.add("GreaterOrEqual", [x, "zero"], "logit_nonnegative")
                let index = graph.add("Cast", [positive], "label_column", [.int("to", ONNXGraph.ElementType.int64.rawValue)])
                graph.add("Reshape", [index, "label_shape"], "label")
            } else {
                graph.add("Softmax", [x], "probabilities", [.int("axis", 1)])
                graph.add("ArgMax", [x], "label", [.int("axis", 1), .int("keepdims", 0)])
            }
            graph.outputs.append(.init(name: "probabilities", type: .float, shape: [rows, .value(labels.count)],
                                       doc: "class probabilities, columns " + labels.joined(separator: ", ")))
            graph.outputs.append(.init(name: "label", type: .int64, shape: [rows],
                                       doc: "the predicted class's index into " + labels.joined(separator: ", ")))
        case .value(_, let scale):
            if let scale {
                graph.constant("target_std", [1], [Float(scale.std)])
                graph.constant("target_mean", [1], [Float(scale.mean)])
                x = graph.add("Mul", [x, "target_std"], "prediction_scaled")
                graph.add("Add", [x, "target_mean"], "prediction")
            } else {
                graph.add("Identity", [x], "prediction")
            }
            graph.outputs.append(.init(name: "prediction", type: .float, shape: [rows, .value(1)],
                                       doc: "the predicted \(target.column)"))
        }
        graph.metadata = onnxMetadata
        return graph.encode(irVersion: Self.onnxIRVersion, opset: Self.onnxOpset, producer: "nnsearch", producerVersion: producerVersion)
    }

    private var onnxDoc: String {
        let what: String
        switch target {
        case .classes(let column, let labels):
            what = "predicts \(column): outputs probabilities (columns \(labels.joined(separator: ", "))) and label (the class index)"
        case .value(let column, _):
            what = "predicts \(column): outputs prediction"
        }
        return "nnsearch \(origin.refit ? "refit of " : "")trial \(origin.trial) of search \(origin.search) (\(origin.metric.rawValue) "
            + "\(formatNumber(origin.metricValue))); input: columns \(columns.map(\.name).joined(separator: ", ")); \(what)"
    }

    private var onnxMetadata: [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = [
            ("nnsearch_format", "\(Self.formatName) \(Self.formatVersion)"),
            ("search", origin.search),
            ("trial", String(origin.trial)),
            ("refit", String(origin.refit)),
            ("metric", origin.metric.rawValue),
            ("metric_value", formatNumber(origin.metricValue)),
            ("features", "[" + columns.map { JSONValue.quote($0.name) }.joined(separator: ", ") + "]"),
            ("target", target.column),
        ]
        if case .classes(_, let labels) = target {
            entries.append(("classes", "[" + labels.map(JSONValue.quote).joined(separator: ", ") + "]"))
        }
        return entries
    }
}
