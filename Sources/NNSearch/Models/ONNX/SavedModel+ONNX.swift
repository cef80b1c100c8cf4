import NNSearchKernel

// A saved model as an ONNX graph (opset 13 and ai.onnx.ml 2, IR version 7), for onnxruntime and
// other runtimes. Its inputs are the CSV's columns as they are, and the graph encodes them:
//
//   input     float [N, K]   the numeric columns, in `inputs.columns` order; NaN marks a missing cell
//   <column>  string [N, 1]  one per categorical column, named after it: the cell's text, trimmed
//
//   numbers:  IsNaN(input) → Where(missing, fill, input); the indicators Cast(missing) to float
//   category: LabelEncoder (ai.onnx.ml: category i → i, the missing texts → the `NAME_missing`
//             input's index when the column has one, anything else → the column's width)
//             → Equal(index, [0, 1, …, width − 1]) → Cast to float: its one-hot, all zeros when unknown
//   → Concat(numbers, indicators, one-hots…) → Gather(axis 1) into the network's input order
//   → Sub(mean), Mul(1 / std)                          normalize = standardize
//   → BatchNormalization(running statistics)           normalize = batchnorm
//   → Gemm(W, b) → Relu|Tanh|Sigmoid|Selu, per hidden layer (dropout is the identity at inference)
//   → Gemm(W, b) = logits
//   → classes ≥ 3: probabilities = Softmax(logits), label = ArgMax(logits) (first largest, as the kernel)
//     2 classes:  probabilities = Concat(1 − Sigmoid(z), Sigmoid(z)), label = Cast(z ≥ 0)
//     regression: prediction = logits (× std + mean with a target scale)
//
// Only the steps a model needs are there: without categorical columns there is no ai.onnx.ml node
// (nor its operator set), without indicators or categories no Concat/Gather. A categorical input
// takes the column's name, with `_` appended while another value of the graph has it. The caller
// reads numbers as `predict` does: an empty cell or a missing text (the metadata's `missing_texts`,
// even one that reads as a number) is NaN, another plain decimal is a number. `label` is the class index (int64, [N]); the class names are
// in the metadata (`classes`) and in the doc string. The arithmetic is float32 throughout, so outputs
// match `nnsearch predict`'s to float rounding, not bit for bit: Sub/Mul round the standardization
// once more than the kernel (which computes it in Double), and runtimes order sums and compute exp
// their own way. (The encoding itself is exact: fills are the model's Float values, one-hots 0 and 1.)

extension SavedModel {
    /// The ONNX operator set the export imports.
    package static let onnxOpset: Int64 = 13
    /// The `ai.onnx.ml` operator set it imports when a model has categorical columns (LabelEncoder 2).
    package static let onnxMLOpset: Int64 = 2
    /// The ONNX IR version that goes with opset 13.
    package static let onnxIRVersion: Int64 = 7

    /// The model as an ONNX file's bytes; `producerVersion` is nnsearch's version.
    package func onnx(producerVersion: String) -> [UInt8] {
        let n = network
        var graph = ONNXGraph(name: "nnsearch_\(origin.search)_trial_\(origin.trial)", doc: onnxDoc)
        var x = encodeInputs(&graph)
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
        nameCategoryInputs(&graph)
        graph.metadata = onnxMetadata(graph)
        return graph.encode(irVersion: Self.onnxIRVersion, opset: Self.onnxOpset, mlOpset: Self.onnxMLOpset,
                            producer: "nnsearch", producerVersion: producerVersion)
    }

    // MARK: - The columns as inputs

    /// A categorical column's graph input until `nameCategoryInputs` names it.
    private static func placeholder(_ k: Int) -> String { "\u{0}category\(k)" }

    /// Adds the graph's inputs and the nodes that encode them; returns the encoded inputs' name ([N, F]).
    private func encodeInputs(_ graph: inout ONNXGraph) -> String {
        let numeric = columns.filter(\.isNumber)
        // The encoded parts, concatenated: the filled numbers first, then their indicators, then each one-hot.
        var pieces = [String]()
        var at = 0
        if !numeric.isEmpty {
            graph.inputs.append(.init(name: "input", type: .float, shape: [.parameter("N"), .value(numeric.count)],
                                      doc: "the numeric columns " + numeric.map(\.name).joined(separator: ", ") + "; NaN for a missing cell"))
            let fills: [Float] = numeric.map { if case .number(_, let fill, _) = $0 { fill } else { 0 } }
            graph.constant("fill", [fills.count], fills)
            let missing = graph.add("IsNaN", ["input"], "numbers_missing")
            pieces.append(graph.add("Where", [missing, "fill", "input"], "numbers_filled"))
            at += numeric.count
            if numeric.contains(where: { if case .number(_, _, true) = $0 { true } else { false } }) {
                pieces.append(graph.add("Cast", [missing], "numbers_indicators", [.int("to", ONNXGraph.ElementType.float.rawValue)]))
                at += numeric.count
            }
        }
        let missingTexts = CSVColumns.standardMissing.union(self.missingTexts)
        var order = [Int]()
        var number = 0, category = 0
        for column in columns {
            switch column {
            case .number(_, _, let indicator):
                order.append(number)
                if indicator { order.append(numeric.count + number) }
                number += 1
            case .category(let name, let categories, let hasMissing):
                category += 1
                let width = column.width
                // The texts `predict` reads as missing (a category the training rows had never is one: the model refuses that).
                let known = Set(categories)
                let missing = hasMissing ? missingTexts.filter { ModelInput.Cell($0, missingTexts: missingTexts) == .missing && !known.contains($0) }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } : []
                graph.inputs.append(.init(name: Self.placeholder(category), type: .string, shape: [.parameter("N"), .value(1)],
                                          doc: "the column \(name): its cells' text (categories " + categories.joined(separator: ", ") + ")"))
                let index = graph.add("LabelEncoder", [Self.placeholder(category)], "category\(category)_index", [
                    .strings("keys_strings", categories + missing),
                    .ints("values_int64s", categories.indices.map { Int64($0) } + missing.map { _ in Int64(categories.count) }),
                    .int("default_int64", Int64(width)),
                ], domain: ONNXGraph.mlDomain)
                let range = graph.constant("category\(category)_range", [width], (0..<width).map { Int64($0) })
                let hot = graph.add("Equal", [index, range], "category\(category)_equal")
                pieces.append(graph.add("Cast", [hot], "category\(category)_onehot", [.int("to", ONNXGraph.ElementType.float.rawValue)]))
                order += (0..<width).map { at + $0 }
                at += width
            }
        }
        let joined = pieces.count == 1 ? pieces[0] : graph.add("Concat", pieces, "encoded_parts", [.int("axis", 1)])
        if order == Array(order.indices) { return joined }
        graph.constant("encoded_order", [order.count], order.map { Int64($0) })
        return graph.add("Gather", [joined, "encoded_order"], "encoded", [.int("axis", 1)])
    }

    /// Names each categorical input after its column, with `_` appended while another value has the name.
    private func nameCategoryInputs(_ graph: inout ONNXGraph) {
        var taken = Set(graph.nodes.flatMap(\.outputs) + graph.initializers.map(\.name) + graph.outputs.map(\.name) + ["input"])
        var k = 0
        for column in columns {
            guard case .category = column else { continue }
            k += 1
            var name = column.name
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            let placeholder = Self.placeholder(k)
            for i in graph.inputs.indices where graph.inputs[i].name == placeholder { graph.inputs[i].name = name }
            for i in graph.nodes.indices { graph.nodes[i].inputs = graph.nodes[i].inputs.map { $0 == placeholder ? name : $0 } }
        }
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

    /// `metadata_props`: where the model comes from, its columns, which graph input carries which
    /// columns (`inputs`), the texts read as missing, and the classes.
    private func onnxMetadata(_ graph: ONNXGraph) -> [(key: String, value: String)] {
        // The graph's inputs: `input` for the numeric columns (when there are some), then one per categorical column.
        let numeric = columns.filter(\.isNumber).map(\.name)
        var inputs = graph.inputs.map(\.name)[...]
        var carried = [(input: String, columns: [String])]()
        if !numeric.isEmpty { carried.append((inputs.removeFirst(), numeric)) }
        for (input, column) in zip(inputs, columns.filter { !$0.isNumber }) { carried.append((input, [column.name])) }
        let missing = CSVColumns.standardMissing.union(missingTexts).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var entries: [(key: String, value: String)] = [
            ("nnsearch_format", "\(Self.formatName) \(Self.formatVersion)"),
            ("search", origin.search),
            ("trial", String(origin.trial)),
            ("refit", String(origin.refit)),
            ("metric", origin.metric.rawValue),
            ("metric_value", formatNumber(origin.metricValue)),
            ("features", "[" + columns.map { JSONValue.quote($0.name) }.joined(separator: ", ") + "]"),
            ("inputs", "{" + carried.map { JSONValue.quote($0.input) + ": [" + $0.columns.map(JSONValue.quote).joined(separator: ", ") + "]" }
                .joined(separator: ", ") + "}"),
            ("missing_texts", "[" + missing.map(JSONValue.quote).joined(separator: ", ") + "]"),
            ("target", target.column),
        ]
        if case .classes(_, let labels) = target {
            entries.append(("classes", "[" + labels.map(JSONValue.quote).joined(separator: ", ") + "]"))
        }
        return entries
    }
}

extension FeatureEncoding.Column {
    /// Whether it is a numeric column.
    fileprivate var isNumber: Bool {
        if case .number = self { return true }
        return false
    }
}
