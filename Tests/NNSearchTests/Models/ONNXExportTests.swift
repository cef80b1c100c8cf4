import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The ONNX file's structure, parsed back field by field with a small protobuf reader
/// (onnxruntime itself runs the files in Tests/onnx/check.sh).
final class ONNXExportTests: XCTestCase {
    private struct Parsed {
        var model: ProtobufMessage
        var graph: ProtobufMessage
        var ops: [String]
        var initializers: [String: ProtobufMessage]
    }

    private func parse(_ model: SavedModel, file: StaticString = #filePath, line: UInt = #line) throws -> Parsed {
        let bytes = model.onnx(producerVersion: "test")
        let m = try ProtobufMessage(bytes)
        let graph = try XCTUnwrap(try m.message(7), "a graph", file: file, line: line)
        let nodes = try graph.messages(1)
        var initializers = [String: ProtobufMessage]()
        for t in try graph.messages(5) { initializers[t.string(8) ?? ""] = t }
        return Parsed(model: m, graph: graph, ops: nodes.map { $0.string(4) ?? "?" }, initializers: initializers)
    }

    /// A float tensor's dims and values (raw_data, little-endian).
    private func tensor(_ t: ProtobufMessage?) -> (dims: [Int64], values: [Float])? {
        guard let t, t.int(2) == 1, case .bytes(let raw)? = t.all(9).last, raw.count % 4 == 0 else { return nil }
        let dims = t.all(1).compactMap { if case .varint(let v) = $0 { Int64(bitPattern: v) } else { nil } }
        let values = stride(from: 0, to: raw.count, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
        return (dims, values)
    }

    /// A graph input's or output's (name, element type, shape as text).
    private func values(_ graph: ProtobufMessage, _ field: Int) throws -> [String] {
        try graph.messages(field).map { v in
            let tensor = try XCTUnwrap(try v.message(2)?.message(1))
            let dims = try XCTUnwrap(try tensor.message(2)).messages(1).map { d in d.string(2) ?? String(d.int(1) ?? -1) }
            return "\(v.string(1) ?? "?"):\(tensor.int(1) ?? 0)[\(dims.joined(separator: ","))]"
        }
    }

    func testTheModelHeaderAndOperatorSet() throws {
        let p = try parse(try ModelSamples.trained().model)
        XCTAssertEqual(p.model.int(1), 7, "ir_version 7, for opset 13")
        let opset = try XCTUnwrap(try p.model.message(8))
        XCTAssertEqual(opset.string(1), "", "the default domain")
        XCTAssertEqual(opset.int(2), 13)
        XCTAssertEqual(p.model.string(2), "nnsearch")
        XCTAssertEqual(p.model.string(3), "test")
        let metadata = Dictionary(uniqueKeysWithValues: try p.model.messages(14).map { ($0.string(1) ?? "", $0.string(2) ?? "") })
        XCTAssertEqual(metadata["classes"], #"["0", "1", "2"]"#)
        XCTAssertEqual(metadata["features"], #"["x0", "x1"]"#)
        XCTAssertEqual(metadata["trial"], "3")
    }

    func testMultiClassWithStandardization() throws {
        let t = try ModelSamples.trained { $0.normalize = .standardize; $0.activation = .tanh }
        let p = try parse(t.model)
        XCTAssertEqual(p.ops, ["IsNaN", "Where", "Sub", "Mul", "Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Softmax", "ArgMax"],
                       "numeric columns with nothing missing in training: a missing cell (NaN) is filled, no indicator")
        XCTAssertEqual(try p.model.messages(8).count, 1, "no ai.onnx.ml operator set without categories")
        XCTAssertEqual(tensor(p.initializers["fill"])?.values, t.model.columns.map { if case .number(_, let fill, _) = $0 { fill } else { .nan } })
        XCTAssertEqual(try values(p.graph, 11), ["input:1[N,2]"])
        XCTAssertEqual(try values(p.graph, 12), ["probabilities:1[N,3]", "label:7[N]"])
        let s = try XCTUnwrap(t.model.standardization)
        XCTAssertEqual(tensor(p.initializers["standardize_mean"])?.values, s.mean.map { Float($0) })
        XCTAssertEqual(tensor(p.initializers["standardize_scale"])?.values, s.std.map { Float(1 / $0) })
        for l in 0..<3 {
            let w = try XCTUnwrap(tensor(p.initializers["layer\(l + 1)_weight"]))
            XCTAssertEqual(w.dims, [Int64(t.model.network.dims[l]), Int64(t.model.network.dims[l + 1])], "Gemm's B is in × out")
            XCTAssertEqual(w.values, t.model.network.weights[l], "the weights bit for bit")
            XCTAssertEqual(tensor(p.initializers["layer\(l + 1)_bias"])?.values, t.model.network.biases[l])
        }
        // Every node's inputs are the graph input, an initializer or an earlier node's output.
        var known = Set(["input"] + p.initializers.keys)
        for node in try p.graph.messages(1) {
            for input in node.strings(1) { XCTAssertTrue(known.contains(input), "\(input) is defined before \(node.string(4) ?? "")") }
            known.formUnion(node.strings(2))
        }
        XCTAssertTrue(known.isSuperset(of: ["probabilities", "label"]))
        let argmax = try XCTUnwrap(try p.graph.messages(1).last)
        let attributes = try argmax.messages(5).map { "\($0.string(1) ?? "")=\($0.int(3) ?? -9)/type \($0.int(20) ?? 0)" }
        XCTAssertEqual(attributes, ["axis=1/type 2", "keepdims=0/type 2"])
    }

    func testBinaryWithBatchNormAndSelu() throws {
        let t = try ModelSamples.trained(.heartRate) { $0.normalize = .batchnorm; $0.activation = .selu; $0.dropout = 0.3 }
        let p = try parse(t.model)
        XCTAssertEqual(p.ops, ["IsNaN", "Where", "BatchNormalization", "Gemm", "Selu", "Gemm", "Selu", "Gemm",
                               "Sigmoid", "Sub", "Concat", "GreaterOrEqual", "Cast", "Reshape"], "no dropout at inference")
        XCTAssertEqual(try values(p.graph, 12), ["probabilities:1[N,2]", "label:7[N]"])
        let bn = try XCTUnwrap(t.model.network.batchNorm)
        XCTAssertEqual(tensor(p.initializers["batchnorm_var"])?.values, bn.runningVar)
        let node = try p.graph.messages(1)[2]
        let epsilon = try XCTUnwrap(try node.message(5))
        XCTAssertEqual(epsilon.string(1), "epsilon")
        XCTAssertEqual(epsilon.all(2), [.fixed32(Float(1e-5).bitPattern)])
        let selu = try p.graph.messages(1)[4].messages(5).map { $0.all(2) }
        XCTAssertEqual(selu, [[.fixed32(Float(1.6732632423543772).bitPattern)], [.fixed32(Float(1.0507009873554805).bitPattern)]])
    }

    func testRegression() throws {
        var model = try ModelSamples.trained(.heartRate).model
        model.target = .value(column: "y", scale: nil)
        model.network.dims[model.network.dims.count - 1] = 1
        let l = model.network.weights.count - 1
        model.network.weights[l] = [Float](repeating: 0.5, count: model.network.dims[l])
        model.network.biases[l] = [1]
        XCTAssertNil(model.inconsistency)
        var p = try parse(model)
        XCTAssertEqual(p.ops, ["IsNaN", "Where", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Identity"])
        XCTAssertEqual(try values(p.graph, 12), ["prediction:1[N,1]"])
        model.target = .value(column: "y", scale: .init(mean: 3, std: 2))
        p = try parse(model)
        XCTAssertEqual(Array(p.ops.suffix(2)), ["Mul", "Add"])
    }

    func testCategoriesAndMissingValuesAreEncodedInTheGraph() throws {
        let t = try ModelSamples.trained(try ModelSamples.table(ModelSamples.messyCSV()), missingTexts: ["?", "-1"]) { $0.normalize = .standardize }
        let p = try parse(t.model)
        XCTAssertEqual(Array(p.ops.prefix(15)), ["IsNaN", "Where", "Cast",
                                                 "LabelEncoder", "Equal", "Cast", "LabelEncoder", "Equal", "Cast", "LabelEncoder", "Equal", "Cast",
                                                 "Concat", "Gather", "Sub"])
        XCTAssertEqual(try values(p.graph, 11), ["input:1[N,2]", "sex:8[N,1]", "port:8[N,1]", "deck:8[N,1]"])
        let opsets = try p.model.messages(8).map { "\($0.string(1) ?? "?") \($0.int(2) ?? 0)" }
        XCTAssertEqual(opsets, [" 13", "ai.onnx.ml 2"])
        let nodes = try p.graph.messages(1)
        // port: C, Q, S → 0, 1, 2; the missing texts ("-1" too: a listed text is missing even when it reads as a number) → 3; anything else → 4.
        let port = nodes[6]
        XCTAssertEqual(port.string(7), "ai.onnx.ml")
        XCTAssertEqual(port.strings(1), ["port"])
        let attributes = try port.messages(5)
        let keys = attributes[0].strings(9)
        let expectedMissing = CSVColumns.standardMissing.union(["?", "-1"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        XCTAssertEqual(attributes.map { $0.string(1) ?? "" }, ["keys_strings", "values_int64s", "default_int64"])
        XCTAssertEqual(keys, ["C", "Q", "S"] + expectedMissing)
        let values = attributes[1].all(8).compactMap { if case .varint(let v) = $0 { Int64(bitPattern: v) } else { nil } }
        XCTAssertEqual(values, [0, 1, 2] + expectedMissing.map { _ in 3 })
        XCTAssertEqual(attributes[2].int(3), 4)
        // sex had no missing cell in training: only its categories are keys; a missing cell is unknown, all zeros.
        XCTAssertEqual(try nodes[3].messages(5)[0].strings(9), ["F", "M"])
        XCTAssertEqual(try nodes[3].messages(5)[2].int(3), 2)
        // Concat(filled age and fare, their indicators, sex, port, deck) → the inputs' order.
        let order = try XCTUnwrap(p.initializers["encoded_order"])
        guard case .bytes(let raw)? = order.all(9).last else { return XCTFail("raw_data") }
        var indices = [Int64]()
        for i in stride(from: 0, to: raw.count, by: 8) {
            var u: UInt64 = 0
            for k in 0..<8 { u |= UInt64(raw[i + k]) << UInt64(8 * k) }
            indices.append(Int64(bitPattern: u))
        }
        XCTAssertEqual(indices, [0, 2, 1] + (4..<15).map(Int64.init), "age, age_missing, fare, then the one-hots")
        XCTAssertEqual(t.model.encoding.inputNames.prefix(3), ["age", "age_missing", "fare"])
        let metadata = Dictionary(uniqueKeysWithValues: try p.model.messages(14).map { ($0.string(1) ?? "", $0.string(2) ?? "") })
        XCTAssertEqual(metadata["inputs"], #"{"input": ["age", "fare"], "sex": ["sex"], "port": ["port"], "deck": ["deck"]}"#)
        XCTAssertTrue(metadata["missing_texts"]?.contains(#""?""#) == true)
    }

    func testACategoricalInputNamedLikeAnotherValueIsRenamed() throws {
        var model = try ModelSamples.trained(try ModelSamples.table(ModelSamples.messyCSV()), missingTexts: ["?"]).model
        model.columns[2] = .category(name: "input", categories: ["F", "M"], missing: false)
        model.columns[3] = .category(name: "label", categories: ["C", "Q", "S"], missing: true)
        let p = try parse(model)
        XCTAssertEqual(try values(p.graph, 11), ["input:1[N,2]", "input_:8[N,1]", "label_:8[N,1]", "deck:8[N,1]"])
        XCTAssertEqual(try p.graph.messages(1)[3].strings(1), ["input_"])
    }
}
