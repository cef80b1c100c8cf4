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
        XCTAssertEqual(p.ops, ["Sub", "Mul", "Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Softmax", "ArgMax"])
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
        XCTAssertEqual(p.ops, ["BatchNormalization", "Gemm", "Selu", "Gemm", "Selu", "Gemm",
                               "Sigmoid", "Sub", "Concat", "GreaterOrEqual", "Cast", "Reshape"], "no dropout at inference")
        XCTAssertEqual(try values(p.graph, 12), ["probabilities:1[N,2]", "label:7[N]"])
        let bn = try XCTUnwrap(t.model.network.batchNorm)
        XCTAssertEqual(tensor(p.initializers["batchnorm_var"])?.values, bn.runningVar)
        let node = try XCTUnwrap(try p.graph.messages(1).first)
        let epsilon = try XCTUnwrap(try node.message(5))
        XCTAssertEqual(epsilon.string(1), "epsilon")
        XCTAssertEqual(epsilon.all(2), [.fixed32(Float(1e-5).bitPattern)])
        let selu = try p.graph.messages(1)[2].messages(5).map { $0.all(2) }
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
        XCTAssertEqual(p.ops, ["Gemm", "Relu", "Gemm", "Relu", "Gemm", "Identity"])
        XCTAssertEqual(try values(p.graph, 12), ["prediction:1[N,1]"])
        model.target = .value(column: "y", scale: .init(mean: 3, std: 2))
        p = try parse(model)
        XCTAssertEqual(Array(p.ops.suffix(2)), ["Mul", "Add"])
    }
}
