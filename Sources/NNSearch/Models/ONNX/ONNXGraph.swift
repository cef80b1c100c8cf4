/// An ONNX model being assembled: nodes, constant tensors (initializers), typed inputs and
/// outputs, and its encoding as an ONNX `ModelProto` (field numbers from onnx.proto, IR version 7).
struct ONNXGraph {
    /// TensorProto.DataType values.
    enum ElementType: Int64 {
        case float = 1
        case int64 = 7
        case string = 8
        case bool = 9
    }

    /// A node attribute: an int, a float, a list of ints or a list of strings (AttributeProto types
    /// INT = 2, FLOAT = 1, INTS = 7, STRINGS = 8).
    enum Attribute {
        case int(String, Int64)
        case float(String, Float)
        case ints(String, [Int64])
        case strings(String, [String])
    }

    struct Node {
        var op: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [Attribute] = []
        /// The operator set's domain: "" for the default (ai.onnx), or `ONNXGraph.mlDomain`.
        var domain: String = ""
    }

    /// The domain of the traditional-ML operators (LabelEncoder).
    static let mlDomain = "ai.onnx.ml"

    /// A constant tensor, stored little-endian in `raw_data`.
    struct Tensor {
        var name: String
        var dims: [Int]
        var type: ElementType
        var raw: [UInt8]
    }

    /// A dimension of an input's or output's shape: a number, or a name for one given at run time.
    enum Dimension {
        case value(Int)
        case parameter(String)
    }

    struct Value {
        var name: String
        var type: ElementType
        var shape: [Dimension]
        var doc: String
    }

    var name: String
    var doc: String
    var nodes: [Node] = []
    var initializers: [Tensor] = []
    var inputs: [Value] = []
    var outputs: [Value] = []
    /// The model's `metadata_props`, in order.
    var metadata: [(key: String, value: String)] = []

    init(name: String, doc: String) {
        self.name = name
        self.doc = doc
    }

    /// Adds a node; returns its (first) output's name.
    @discardableResult
    mutating func add(_ op: String, _ inputs: [String], _ output: String, _ attributes: [Attribute] = [], domain: String = "") -> String {
        nodes.append(Node(op: op, inputs: inputs, outputs: [output], attributes: attributes, domain: domain))
        return output
    }

    /// Adds a float constant; returns its name.
    @discardableResult
    mutating func constant(_ name: String, _ dims: [Int], _ values: [Float]) -> String {
        precondition(dims.reduce(1, *) == values.count, "\(name): the values do not fill the shape")
        initializers.append(Tensor(name: name, dims: dims, type: .float, raw: ProtobufWriter.littleEndian(values)))
        return name
    }

    /// Adds an int64 constant; returns its name.
    @discardableResult
    mutating func constant(_ name: String, _ dims: [Int], _ values: [Int64]) -> String {
        precondition(dims.reduce(1, *) == values.count, "\(name): the values do not fill the shape")
        initializers.append(Tensor(name: name, dims: dims, type: .int64, raw: ProtobufWriter.littleEndian(values)))
        return name
    }

    // MARK: - Encoding

    /// The ModelProto's bytes, importing the default ONNX operator set at `opset`, and the
    /// `ai.onnx.ml` one at `mlOpset` when a node uses it.
    func encode(irVersion: Int64, opset: Int64, mlOpset: Int64, producer: String, producerVersion: String) -> [UInt8] {
        var model = ProtobufWriter()
        model.int(1, irVersion)                          // ir_version
        model.string(2, producer)                        // producer_name
        model.string(3, producerVersion)                 // producer_version
        model.string(6, doc)                             // doc_string
        model.message(7) { graph in                      // graph: GraphProto
            for node in nodes { graph.message(1) { encode(node, &$0) } }          // node
            graph.string(2, name)                                                  // name
            for tensor in initializers { graph.message(5) { encode(tensor, &$0) } } // initializer
            graph.string(10, doc)                                                  // doc_string
            for value in inputs { graph.message(11) { encode(value, &$0) } }       // input
            for value in outputs { graph.message(12) { encode(value, &$0) } }      // output
        }
        model.message(8) { set in                        // opset_import: OperatorSetIdProto
            set.string(1, "")                            // domain: the default, ai.onnx
            set.int(2, opset)                            // version
        }
        if nodes.contains(where: { $0.domain == Self.mlDomain }) {
            model.message(8) { set in
                set.string(1, Self.mlDomain)
                set.int(2, mlOpset)
            }
        }
        for entry in metadata {
            model.message(14) { kv in                    // metadata_props: StringStringEntryProto
                kv.string(1, entry.key)
                kv.string(2, entry.value)
            }
        }
        return model.bytes
    }

    private func encode(_ node: Node, _ w: inout ProtobufWriter) {
        for input in node.inputs { w.string(1, input) }   // input
        for output in node.outputs { w.string(2, output) } // output
        w.string(3, node.outputs[0])                       // name: its output's, unique in the graph
        w.string(4, node.op)                               // op_type
        if !node.domain.isEmpty { w.string(7, node.domain) } // domain
        for attribute in node.attributes {
            w.message(5) { a in                            // attribute: AttributeProto
                switch attribute {
                case .int(let name, let value):
                    a.string(1, name)                      // name
                    a.int(3, value)                        // i
                    a.int(20, 2)                           // type: INT
                case .float(let name, let value):
                    a.string(1, name)
                    a.float(2, value)                      // f
                    a.int(20, 1)                           // type: FLOAT
                case .ints(let name, let values):
                    a.string(1, name)
                    for v in values { a.int(8, v) }        // ints (repeated, unpacked as proto2 writes it)
                    a.int(20, 7)                           // type: INTS
                case .strings(let name, let values):
                    a.string(1, name)
                    for v in values { a.string(9, v) }     // strings (repeated bytes)
                    a.int(20, 8)                           // type: STRINGS
                }
            }
        }
    }

    private func encode(_ tensor: Tensor, _ w: inout ProtobufWriter) {
        for d in tensor.dims { w.int(1, Int64(d)) }   // dims
        w.int(2, tensor.type.rawValue)                // data_type
        w.string(8, tensor.name)                      // name
        w.bytes(9, tensor.raw)                        // raw_data
    }

    private func encode(_ value: Value, _ w: inout ProtobufWriter) {
        w.string(1, value.name)                       // name
        w.message(2) { type in                        // type: TypeProto
            type.message(1) { tensor in               // tensor_type: TypeProto.Tensor
                tensor.int(1, value.type.rawValue)    // elem_type
                tensor.message(2) { shape in          // shape: TensorShapeProto
                    for d in value.shape {
                        shape.message(1) { dim in     // dim: Dimension
                            switch d {
                            case .value(let n): dim.int(1, Int64(n))        // dim_value
                            case .parameter(let s): dim.string(2, s)        // dim_param
                            }
                        }
                    }
                }
            }
        }
        w.string(3, value.doc)                        // doc_string
    }
}
