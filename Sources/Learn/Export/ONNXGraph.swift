/// An ONNX graph being built, and its serialization as a ModelProto (onnx/onnx.proto, IR 7 or 8).
/// Tensors are named in order of appearance; weights are float32 initializers stored as raw data.
struct ONNXGraph {
    struct Node {
        let op: String
        let inputs: [String]
        var output: String
        let attributes: [Attribute]
    }

    enum Attribute {
        case int(String, Int)
        case ints(String, [Int])
        case float(String, Float)
    }

    struct Initializer {
        let name: String
        let shape: [Int]
        let values: [Float]
    }

    private(set) var nodes: [Node] = []
    private(set) var initializers: [Initializer] = []
    private var counter = 0

    /// Adds a node and returns the name of its output.
    mutating func add(_ op: String, _ inputs: [String], _ attributes: [Attribute] = []) -> String {
        counter += 1
        let output = "\(op.lowercased())_\(counter)"
        nodes.append(Node(op: op, inputs: inputs, output: output, attributes: attributes))
        return output
    }

    /// Adds a weight and returns its name.
    mutating func weight(_ name: String, shape: [Int], _ values: [Float]) -> String {
        precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for \(shape)")
        let unique = "\(name)_\(initializers.count)"
        initializers.append(Initializer(name: unique, shape: shape, values: values))
        return unique
    }

    /// Names the last node's output `name`: the graph's output.
    mutating func nameOutput(_ name: String) {
        nodes[nodes.count - 1].output = name
    }

    /// A tensor's type: float32 of `shape`, where nil is the symbolic dimension `symbol`.
    struct Value {
        let name: String
        let shape: [Int?]
        var symbol = "batch_size"
    }

    func serialize(opset: Int, input: Value, output: Value, metadata: [(String, String)]) -> [UInt8] {
        var model = Protobuf()
        // IR 7 came with opsets 13 and 14, IR 8 with 15 to 17.
        model.integer(1, opset <= 14 ? 7 : 8)
        model.string(2, "quarry")
        model.message(8) { $0.string(1, ""); $0.integer(2, opset) }
        model.message(7) { graph in
            for node in nodes { graph.message(1) { Self.encode(node, into: &$0) } }
            graph.string(2, "quarry")
            for initializer in initializers { graph.message(5) { Self.encode(initializer, into: &$0) } }
            graph.message(11) { Self.encode(input, into: &$0) }
            graph.message(12) { Self.encode(output, into: &$0) }
        }
        for (key, value) in metadata { model.message(14) { $0.string(1, key); $0.string(2, value) } }
        return model.bytes
    }

    private static func encode(_ node: Node, into message: inout Protobuf) {
        for input in node.inputs { message.string(1, input) }
        message.string(2, node.output)
        message.string(3, node.output)
        message.string(4, node.op)
        for attribute in node.attributes {
            message.message(5) { field in
                // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7).
                switch attribute {
                case .int(let name, let value): field.string(1, name); field.integer(3, value); field.integer(20, 2)
                case .ints(let name, let values): field.string(1, name); field.integers(8, values); field.integer(20, 7)
                case .float(let name, let value): field.string(1, name); field.float(2, value); field.integer(20, 1)
                }
            }
        }
    }

    private static func encode(_ initializer: Initializer, into message: inout Protobuf) {
        message.integers(1, initializer.shape)
        message.integer(2, 1)
        message.string(8, initializer.name)
        // raw_data is little-endian, as this machine is.
        message.bytes(9, initializer.values.withUnsafeBytes { Array($0) })
    }

    private static func encode(_ value: Value, into message: inout Protobuf) {
        message.string(1, value.name)
        message.message(2) { type in
            type.message(1) { tensor in
                tensor.integer(1, 1)
                tensor.message(2) { shape in
                    for dimension in value.shape {
                        shape.message(1) { if let size = dimension { $0.integer(1, size) } else { $0.string(2, value.symbol) } }
                    }
                }
            }
        }
    }
}
