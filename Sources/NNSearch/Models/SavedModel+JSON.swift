import Foundation
import NNSearchKernel

// The model file: one JSON object (format "nnsearch-model", version 2; version 1 is still read),
// documented in the README ("The model file"). Version 2 added what real CSV files need:
//
//   "inputs": {"columns": [{"name": "age", "type": "numeric", "fill": 29.7, "indicator": true},
//                          {"name": "sex", "type": "categorical", "categories": ["F", "M"], "missing": false}],
//              "missing": ["?"], "standardize": ...}
//
// A numeric column is one input (a missing cell reads as `fill`), then `NAME_missing` (1 when the
// cell was missing) when `indicator`; a categorical one is one input per category, 1 for the cell's
// category, then `NAME_missing` when `missing` — an unknown category, or a missing cell without that
// input, is all zeros. `missing` lists the texts read as missing besides the standard ones (pandas'
// defaults, `CSVColumns.standardMissing`). `fill` null: none (a version 1 model written again); a
// missing cell there is refused. A version 1 file has numeric columns `{"name", "type"}` only, with
// no fill, and no `inputs.missing`. Numbers are written in their shortest round-trip form — Float weights at Float
// precision, Double statistics at Double precision — and read back from their text, so a model
// survives any number of writes and reads bit for bit. What decides a prediction (inputs, target,
// network) is read strictly: an unknown key or type there is refused by name, never skipped.

extension SavedModel {
    // MARK: - Writing

    /// The model file's text; throws when a weight or statistic is not finite (JSON has no NaN).
    package func jsonText() throws -> String {
        var out = "{\n"
        func line(_ key: String, _ value: String, last: Bool = false) {
            out += "  " + JSONValue.quote(key) + ": " + value + (last ? "\n" : ",\n")
        }
        line("format", JSONValue.quote(Self.formatName))
        line("version", String(Self.formatVersion))
        line("search", JSONValue.quote(origin.search))
        line("trial", String(origin.trial))
        line("task", JSONValue.quote(task.rawValue))
        line("metric", "{\"name\": \(JSONValue.quote(origin.metric.rawValue)), \"value\": \(try number(origin.metricValue, "metric.value"))}")
        line("figures", "{" + zip(figureNames, origin.figures).map { name, x in
            JSONValue.quote(name) + ": " + (x.isFinite ? formatNumber(x) : "null")
        }.joined(separator: ", ") + "}")
        line("training", "{\"rows\": \(origin.rows), \"epochs\": \(origin.epochs), \"seed\": \(origin.seed), \"refit\": \(origin.refit)}")
        line("hyperparameters", "{" + hyperparameters.map { JSONValue.quote($0.name) + ": " + $0.value.json.jsonText }
            .joined(separator: ", ") + "}")
        var inputs = "{\n    \"columns\": [\n"
        inputs += columns.map(columnText).joined(separator: ",\n")
        inputs += "\n    ],\n    \"missing\": [" + missingTexts.map(JSONValue.quote).joined(separator: ", ") + "]"
        inputs += ",\n    \"standardize\": "
        if let s = standardization {
            inputs += "{\n      \"mean\": " + (try numbers(s.mean, "inputs.standardize.mean"))
                + ",\n      \"std\": " + (try numbers(s.std, "inputs.standardize.std")) + "\n    }"
        } else {
            inputs += "null"
        }
        line("inputs", inputs + "\n  }")
        switch target {
        case .classes(let column, let labels):
            line("target", "{\"column\": \(JSONValue.quote(column)), \"type\": \"classes\", \"classes\": ["
                 + labels.map(JSONValue.quote).joined(separator: ", ") + "]}")
        case .value(let column, let scale):
            let scaleText = try scale.map { "{\"mean\": \(try number($0.mean, "target.scale.mean")), \"std\": \(try number($0.std, "target.scale.std"))}" } ?? "null"
            line("target", "{\"column\": \(JSONValue.quote(column)), \"type\": \"value\", \"scale\": \(scaleText)}")
        }
        line("network", try networkText(), last: true)
        return out + "}\n"
    }

    /// One column of `inputs.columns`: a number with its fill (null: none) and indicator, or a
    /// category with its categories and whether a missing cell has its own input.
    private func columnText(_ column: Column) -> String {
        switch column {
        case .number(let name, let fill, let indicator):
            return "      {\"name\": \(JSONValue.quote(name)), \"type\": \"numeric\", \"fill\": \(fill.isNaN ? "null" : formatNumber(fill)),"
                + " \"indicator\": \(indicator)}"
        case .category(let name, let categories, let missing):
            return "      {\"name\": \(JSONValue.quote(name)), \"type\": \"categorical\", \"categories\": ["
                + categories.map(JSONValue.quote).joined(separator: ", ") + "], \"missing\": \(missing)}"
        }
    }

    private func networkText() throws -> String {
        let n = network
        var layers = [String]()
        if let bn = n.batchNorm {
            layers.append("{\"type\": \"batchnorm\", \"epsilon\": \(formatNumber(BatchNormWeights.epsilon)),\n"
                + "       \"gamma\": \(try floats(bn.gamma, "batchnorm.gamma")),\n"
                + "       \"beta\": \(try floats(bn.beta, "batchnorm.beta")),\n"
                + "       \"running_mean\": \(try floats(bn.runningMean, "batchnorm.running_mean")),\n"
                + "       \"running_var\": \(try floats(bn.runningVar, "batchnorm.running_var"))}")
        }
        let count = n.dims.count - 1
        for l in 0..<count {
            let inputs = n.dims[l], outputs = n.dims[l + 1]
            var rows = [String]()
            for i in 0..<inputs {
                rows.append("         " + (try floats(Array(n.weights[l][(i * outputs)..<((i + 1) * outputs)]), "layer \(l + 1) weight")))
            }
            layers.append("{\"type\": \"linear\", \"inputs\": \(inputs), \"outputs\": \(outputs),\n"
                + "       \"weight\": [\n" + rows.joined(separator: ",\n") + "\n       ],\n"
                + "       \"bias\": \(try floats(n.biases[l], "layer \(l + 1) bias"))}")
            if l < count - 1 {
                layers.append("{\"type\": \(JSONValue.quote(n.activation.rawValue))}")
                if dropout > 0 {
                    layers.append("{\"type\": \"dropout\", \"rate\": \(formatNumber(dropout)), \"at_inference\": \"identity\"}")
                }
            }
        }
        return "{\n    \"output\": \(JSONValue.quote(lossKind.outputFunction)),\n    \"layers\": [\n      "
            + layers.joined(separator: ",\n      ") + "\n    ]\n  }"
    }

    private func number(_ x: Double, _ what: String) throws -> String {
        guard x.isFinite else { throw NNSearchError(.data, "the model's \(what) is \(formatNumber(x)); it cannot be saved") }
        return formatNumber(x)
    }

    private func numbers(_ xs: [Double], _ what: String) throws -> String {
        "[" + (try xs.map { try number($0, what) }).joined(separator: ", ") + "]"
    }

    private func floats(_ xs: [Float], _ what: String) throws -> String {
        if let bad = xs.first(where: { !$0.isFinite }) {
            throw NNSearchError(.data, "the model's \(what) holds \(formatNumber(bad)); it cannot be saved")
        }
        return "[" + xs.map { formatNumber($0) }.joined(separator: ", ") + "]"
    }

    // MARK: - Reading

    /// Reads a model file; every problem is a data error (65) naming the file (66 when it is missing).
    package static func read(path: String) throws -> SavedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NNSearchError(.noInput, "\(path): no such model file")
        }
        guard !isDirectory.boolValue else { throw NNSearchError(.noInput, "\(path): is a directory, not a model file") }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw NNSearchError(.noInput, "\(path): cannot read the model file")
        }
        return try decode(bytes, file: path)
    }

    /// Parses a model file's bytes; `file` names it in messages.
    package static func decode(_ bytes: Data, file: String) throws -> SavedModel {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw NNSearchError(.data, "\(file): not a model file (not UTF-8 text)")
        }
        let json: JSONValue
        do {
            json = try parseJSON(text, file: file)
        } catch let error as NNSearchError {
            let truncated = error.message.contains("end of input") ? " (the file looks truncated)" : ""
            throw NNSearchError(.data, "not a model file: \(error.message)\(truncated)")
        }
        do {
            return try ModelReader().read(json)
        } catch let error as NNSearchError {
            throw NNSearchError(.data, "\(file): \(error.message)")
        }
    }
}

/// Validates one parsed model file; its errors start with the JSON path, and `decode` adds the file.
private struct ModelReader {
    func read(_ json: JSONValue) throws -> SavedModel {
        guard case .object = json else { throw fail(nil, "expected a model file's JSON object {...}, found \(json.typeName)") }
        guard case .string(let format)? = json["format"], format == SavedModel.formatName else {
            throw fail("format", "missing or not \"\(SavedModel.formatName)\": this is not an nnsearch model file")
        }
        guard case .number(let v, let versionText)? = json["version"], v == v.rounded(), v >= 1 else {
            throw fail("version", "missing or not a positive integer")
        }
        guard v <= Double(SavedModel.formatVersion) else {
            throw fail("version", "\(versionText) is newer than this nnsearch reads (version \(SavedModel.formatVersion));"
                + " use a newer nnsearch, or export the model again with this one")
        }
        let task: TaskKind = try named(json["task"], "task")
        let metric = json["metric"]
        let metricName: Metric = try named(metric?["name"], "metric.name")
        let columns = try readColumns(json["inputs"], version: Int(v))
        let target = try readTarget(json["target"], task: task)
        let origin = SavedModel.Origin(
            search: try string(json["search"], "search"), trial: try integer(json["trial"], "trial", 0...Int.max),
            seed: try unsigned(json["training"]?["seed"], "training.seed"),
            metric: metricName, metricValue: try double(metric?["value"], "metric.value"),
            figures: try readFigures(json["figures"], task: task),
            refit: try boolean(json["training"]?["refit"], "training.refit"),
            rows: try integer(json["training"]?["rows"], "training.rows", 0...Int.max),
            epochs: try integer(json["training"]?["epochs"], "training.epochs", 0...Int.max))
        let hyperparameters = try readHyperparameters(json["hyperparameters"])
        let (network, dropout) = try readNetwork(json["network"], inputs: columns.inputs, target: target)
        let model = SavedModel(origin: origin, hyperparameters: hyperparameters, columns: columns.columns,
                               missingTexts: columns.missingTexts, standardization: columns.standardization, target: target,
                               network: network, dropout: dropout)
        if let problem = model.inconsistency { throw fail(nil, "the model does not fit together: \(problem)") }
        return model
    }

    // MARK: Parts

    /// `inputs`: the columns (version 1: numeric ones only, with no fill), the extra missing texts and
    /// the standardization of the inputs they make.
    private func readColumns(_ value: JSONValue?, version: Int)
        throws -> (columns: [SavedModel.Column], missingTexts: [String], standardization: Standardization?, inputs: Int) {
        guard let value, case .object(let members) = value else { throw fail("inputs", "missing or not an object") }
        try strictKeys(members, version == 1 ? ["columns", "standardize"] : ["columns", "missing", "standardize"], "inputs")
        guard case .array(let items)? = value["columns"], !items.isEmpty else {
            throw fail("inputs.columns", "missing or empty: a model reads at least one column")
        }
        var columns = [SavedModel.Column]()
        for (i, item) in items.enumerated() {
            let path = "inputs.columns[\(i)]"
            guard case .object(let members) = item else { throw fail(path, "expected {\"name\": ..., \"type\": ...}") }
            let name = try string(item["name"], path + ".name")
            let type = try string(item["type"], path + ".type")
            switch type {
            case "numeric" where version == 1:
                try strictKeys(members, ["name", "type"], path)
                columns.append(.number(name: name, fill: .nan, indicator: false))
            case "numeric":
                try strictKeys(members, ["name", "type", "fill", "indicator"], path)
                let fill: Float = item["fill"] == .null ? .nan : try float(item["fill"], path + ".fill")
                columns.append(.number(name: name, fill: fill, indicator: try boolean(item["indicator"], path + ".indicator")))
            case "categorical" where version >= 2:
                try strictKeys(members, ["name", "type", "categories", "missing"], path)
                guard case .array(let texts)? = item["categories"] else { throw fail(path + ".categories", "missing or not a list of strings") }
                let categories = try texts.enumerated().map { try string($1, path + ".categories[\($0)]") }
                let missing = try boolean(item["missing"], path + ".missing")
                guard !categories.isEmpty || missing else {
                    throw fail(path, "the categorical column \(JSONValue.quote(name)) makes no input (no category, no missing input)")
                }
                columns.append(.category(name: name, categories: categories, missing: missing))
            default:
                let known = version == 1 ? "\"numeric\"" : "\"numeric\", \"categorical\""
                throw fail(path + ".type", "\(JSONValue.quote(type)) is a column type this nnsearch does not know in a version \(version) file"
                    + " (it knows \(known))")
            }
        }
        var missingTexts = [String]()
        if version >= 2 {
            guard case .array(let texts)? = value["missing"] else {
                throw fail("inputs.missing", "missing or not a list of strings (the texts read as missing besides the standard ones)")
            }
            missingTexts = try texts.enumerated().map { try string($1, "inputs.missing[\($0)]") }
        }
        let inputs = columns.reduce(0) { $0 + $1.width }
        var standardization: Standardization? = nil
        if let s = value["standardize"], s != .null {
            guard case .object(let members) = s else { throw fail("inputs.standardize", "expected {\"mean\": [...], \"std\": [...]} or null") }
            try strictKeys(members, ["mean", "std"], "inputs.standardize")
            standardization = Standardization(mean: try doubles(s["mean"], "inputs.standardize.mean", count: inputs),
                                              std: try doubles(s["std"], "inputs.standardize.std", count: inputs))
        }
        return (columns, missingTexts, standardization, inputs)
    }

    private func readTarget(_ value: JSONValue?, task: TaskKind) throws -> SavedModel.Target {
        guard let value, case .object(let members) = value else { throw fail("target", "missing or not an object") }
        let column = try string(value["column"], "target.column")
        let type = try string(value["type"], "target.type")
        switch type {
        case "classes":
            try strictKeys(members, ["column", "type", "classes"], "target")
            guard task == .classification else { throw fail("target.type", "\"classes\" does not fit task \"\(task.rawValue)\"") }
            guard case .array(let items)? = value["classes"] else { throw fail("target.classes", "missing or not a list of strings") }
            let labels = try items.enumerated().map { try string($1, "target.classes[\($0)]") }
            return .classes(column: column, labels: labels)
        case "value":
            try strictKeys(members, ["column", "type", "scale"], "target")
            guard task == .regression else { throw fail("target.type", "\"value\" does not fit task \"\(task.rawValue)\"") }
            guard let scale = value["scale"], scale != .null else { return .value(column: column, scale: nil) }
            guard case .object(let scaleMembers) = scale else { throw fail("target.scale", "expected {\"mean\": M, \"std\": S} or null") }
            try strictKeys(scaleMembers, ["mean", "std"], "target.scale")
            return .value(column: column, scale: SavedModel.TargetScale(mean: try double(scale["mean"], "target.scale.mean"),
                                                                        std: try double(scale["std"], "target.scale.std")))
        default:
            throw fail("target.type", "\(JSONValue.quote(type)) is a target type this nnsearch does not know (it knows \"classes\", \"value\")")
        }
    }

    private func readFigures(_ value: JSONValue?, task: TaskKind) throws -> [Double] {
        let names = task == .classification
            ? ["train_loss", "val_loss", "train_accuracy", "val_accuracy"] : ["train_loss", "val_loss", "train_r2", "val_r2"]
        guard let value, case .object = value else { return names.map { _ in .nan } }
        return try names.map { name in
            guard let x = value[name], x != .null else { return .nan }
            return try double(x, "figures.\(name)")
        }
    }

    private func readHyperparameters(_ value: JSONValue?) throws -> [SavedModel.Setting] {
        guard let value, case .object(let members) = value else { throw fail("hyperparameters", "missing or not an object") }
        return try members.map { member in
            guard let parameter = Hyperparameter.named(member.key) else {
                throw fail("hyperparameters.\(member.key)", "not a hyperparameter this nnsearch knows")
            }
            do {
                return SavedModel.Setting(name: member.key, value: try parameter.domain.value(member.value, name: member.key,
                                                                                              path: "hyperparameters.\(member.key)"))
            } catch let error as NNSearchError {
                throw NNSearchError(.data, error.message)
            }
        }
    }

    private func readNetwork(_ value: JSONValue?, inputs: Int, target: SavedModel.Target) throws -> (MLPWeights, Double) {
        guard let value, case .object(let members) = value else { throw fail("network", "missing or not an object") }
        try strictKeys(members, ["output", "layers"], "network")
        guard case .array(let layers)? = value["layers"], !layers.isEmpty else { throw fail("network.layers", "missing or empty") }
        var dims = [inputs]
        var weights = [[Float]](), biases = [[Float]]()
        var batchNorm: BatchNormWeights? = nil
        var activation: Activation? = nil
        var dropout = 0.0
        /// What may come next: a linear layer, or what follows a hidden one.
        var expectLinear = true
        var previous = ""
        for (i, layer) in layers.enumerated() {
            defer { previous = (try? string(layer["type"], "")) ?? "" }
            let path = "network.layers[\(i)]"
            guard case .object(let layerMembers) = layer else { throw fail(path, "expected a layer object {\"type\": ...}") }
            let type = try string(layer["type"], path + ".type")
            switch type {
            case "batchnorm":
                try strictKeys(layerMembers, ["type", "epsilon", "gamma", "beta", "running_mean", "running_var"], path)
                guard i == 0 else { throw fail(path, "a batchnorm layer can only come first, on the inputs") }
                let epsilon = try float(layer["epsilon"], path + ".epsilon")
                guard epsilon == BatchNormWeights.epsilon else {
                    throw fail(path + ".epsilon", "\(formatNumber(epsilon)) is not the ε this nnsearch computes with (\(formatNumber(BatchNormWeights.epsilon)))")
                }
                batchNorm = BatchNormWeights(
                    gamma: try floats(layer["gamma"], path + ".gamma", count: inputs), beta: try floats(layer["beta"], path + ".beta", count: inputs),
                    runningMean: try floats(layer["running_mean"], path + ".running_mean", count: inputs),
                    runningVar: try floats(layer["running_var"], path + ".running_var", count: inputs))
            case "linear":
                try strictKeys(layerMembers, ["type", "inputs", "outputs", "weight", "bias"], path)
                guard expectLinear else { throw fail(path, "two linear layers need an activation between them") }
                let layerInputs = try integer(layer["inputs"], path + ".inputs", 1...1_000_000)
                let outputs = try integer(layer["outputs"], path + ".outputs", 1...1_000_000)
                guard layerInputs == dims.last! else {
                    throw fail(path + ".inputs", "\(layerInputs), but the layer before gives \(dims.last!)")
                }
                guard case .array(let rows)? = layer["weight"], rows.count == layerInputs else {
                    throw fail(path + ".weight", "expected \(layerInputs) rows (one per input) of \(outputs) numbers")
                }
                var matrix = [Float]()
                for (r, row) in rows.enumerated() { matrix += try floats(row, path + ".weight[\(r)]", count: outputs) }
                weights.append(matrix)
                biases.append(try floats(layer["bias"], path + ".bias", count: outputs))
                dims.append(outputs)
                expectLinear = false
            case "dropout":
                try strictKeys(layerMembers, ["type", "rate", "at_inference"], path)
                guard previous == activation?.rawValue else { throw fail(path, "dropout comes right after a hidden layer's activation") }
                dropout = try double(layer["rate"], path + ".rate")
            default:
                guard let kind = Activation(rawValue: type) else {
                    throw fail(path + ".type", "\(JSONValue.quote(type)) is a layer type this nnsearch does not know (it knows batchnorm, linear, "
                        + Activation.allCases.map(\.rawValue).joined(separator: ", ") + ", dropout)")
                }
                try strictKeys(layerMembers, ["type"], path)
                guard !expectLinear else { throw fail(path, "an activation follows a linear layer") }
                guard activation == nil || activation == kind else {
                    throw fail(path, "every hidden layer has the same activation here (\(activation!.rawValue), then \(type))")
                }
                activation = kind
                expectLinear = true
            }
        }
        guard !expectLinear, !weights.isEmpty else { throw fail("network.layers", "the last layer must be linear (the outputs)") }
        let output = try string(value["output"], "network.output")
        let expected = target.lossKind.outputFunction
        guard output == expected else {
            throw fail("network.output", "\(JSONValue.quote(output)) does not fit the target; expected \"\(expected)\"")
        }
        return (MLPWeights(dims: dims, activation: activation ?? .relu, weights: weights, biases: biases, batchNorm: batchNorm), dropout)
    }

    // MARK: Values

    private func fail(_ path: String?, _ message: String) -> NNSearchError {
        NNSearchError(.data, (path.map { $0 + ": " } ?? "") + message)
    }

    private func strictKeys(_ members: [JSONMember], _ known: [String], _ path: String) throws {
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw fail("\(path).\(unknown.key)", "a key this nnsearch does not know (it reads " + known.joined(separator: ", ")
                + "); the model may come from a newer nnsearch")
        }
    }

    private func named<E: RawRepresentable & CaseIterable>(_ value: JSONValue?, _ path: String) throws -> E where E.RawValue == String {
        let text = try string(value, path)
        guard let e = E(rawValue: text) else {
            throw fail(path, "\(JSONValue.quote(text)) is not one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return e
    }

    private func string(_ value: JSONValue?, _ path: String) throws -> String {
        guard case .string(let s)? = value else { throw fail(path, "missing or not a string") }
        return s
    }

    private func boolean(_ value: JSONValue?, _ path: String) throws -> Bool {
        guard case .bool(let b)? = value else { throw fail(path, "missing or not true/false") }
        return b
    }

    private func integer(_ value: JSONValue?, _ path: String, _ range: ClosedRange<Int>) throws -> Int {
        guard case .number(_, let text)? = value, let n = Int(text), range.contains(n) else {
            throw fail(path, "missing or not a whole number from \(range.lowerBound)")
        }
        return n
    }

    private func unsigned(_ value: JSONValue?, _ path: String) throws -> UInt64 {
        guard case .number(_, let text)? = value, let n = UInt64(text) else { throw fail(path, "missing or not a non-negative whole number") }
        return n
    }

    private func double(_ value: JSONValue?, _ path: String) throws -> Double {
        guard case .number(let x, _)? = value, x.isFinite else { throw fail(path, "missing or not a finite number") }
        return x
    }

    private func float(_ value: JSONValue?, _ path: String) throws -> Float {
        guard case .number(_, let text)? = value, let x = Float(text), x.isFinite else {
            throw fail(path, "missing or not a finite 32-bit number")
        }
        return x
    }

    private func doubles(_ value: JSONValue?, _ path: String, count: Int) throws -> [Double] {
        guard case .array(let items)? = value, items.count == count else { throw fail(path, "expected a list of \(count) numbers") }
        return try items.enumerated().map { try double($1, "\(path)[\($0)]") }
    }

    private func floats(_ value: JSONValue?, _ path: String, count: Int) throws -> [Float] {
        guard case .array(let items)? = value, items.count == count else { throw fail(path, "expected a list of \(count) numbers") }
        return try items.enumerated().map { try float($1, "\(path)[\($0)]") }
    }
}

extension LossKind {
    /// How the outputs become what `predict` reports: softmax, sigmoid (two classes) or identity.
    var outputFunction: String {
        switch self {
        case .softmaxCrossEntropy: "softmax"
        case .binaryCrossEntropy: "sigmoid"
        case .meanSquaredError: "identity"
        }
    }
}
