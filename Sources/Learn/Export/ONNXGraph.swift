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
        case string(String, String)
    }

    /// TensorProto's data types this graph writes.
    enum ElementType: Int {
        case float = 1
        case int64 = 7
    }

    struct Initializer {
        let name: String
        let shape: [Int]
        let type: ElementType
        /// Little-endian, as this machine is.
        let raw: [UInt8]
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
        return initializer(name, shape: shape, type: .float, values.withUnsafeBytes { Array($0) })
    }

    /// Adds an int64 constant (shapes, axes, indices, counts) and returns its name.
    mutating func integers(_ name: String, shape: [Int], _ values: [Int]) -> String {
        precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for \(shape)")
        return initializer(name, shape: shape, type: .int64, values.map(Int64.init).withUnsafeBytes { Array($0) })
    }

    private mutating func initializer(_ name: String, shape: [Int], type: ElementType, _ raw: [UInt8]) -> String {
        let unique = "\(name)_\(initializers.count)"
        initializers.append(Initializer(name: unique, shape: shape, type: type, raw: raw))
        return unique
    }

    /// Names the last node's output `name`: the graph's output.
    mutating func nameOutput(_ name: String) {
        nodes[nodes.count - 1].output = name
    }

    /// Renames the output `output` of the node that makes it, which nothing after it reads: a graph output.
    mutating func rename(_ output: String, to name: String) {
        guard let index = nodes.lastIndex(where: { $0.output == output }) else { preconditionFailure("no node makes \(output)") }
        precondition(!nodes.contains { $0.inputs.contains(output) }, "\(output) is read by another node")
        nodes[index].output = name
    }

    /// A tensor's type: `elementType` of `shape`, where nil is the symbolic dimension `symbol`.
    struct Value {
        let name: String
        let shape: [Int?]
        var symbol = "batch_size"
        var elementType = ElementType.float
    }

    func serialize(opset: Int, input: Value, outputs: [Value], metadata: [(String, String)]) -> [UInt8] {
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
            for output in outputs { graph.message(12) { Self.encode(output, into: &$0) } }
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
                // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
                switch attribute {
                case .int(let name, let value): field.string(1, name); field.integer(3, value); field.integer(20, 2)
                case .ints(let name, let values): field.string(1, name); field.integers(8, values); field.integer(20, 7)
                case .float(let name, let value): field.string(1, name); field.float(2, value); field.integer(20, 1)
                case .string(let name, let value): field.string(1, name); field.string(4, value); field.integer(20, 3)
                }
            }
        }
    }

    private static func encode(_ initializer: Initializer, into message: inout Protobuf) {
        message.integers(1, initializer.shape)
        message.integer(2, initializer.type.rawValue)
        message.string(8, initializer.name)
        message.bytes(9, initializer.raw)
    }

    private static func encode(_ value: Value, into message: inout Protobuf) {
        message.string(1, value.name)
        message.message(2) { type in
            type.message(1) { tensor in
                tensor.integer(1, value.elementType.rawValue)
                tensor.message(2) { shape in
                    for dimension in value.shape {
                        shape.message(1) { if let size = dimension { $0.integer(1, size) } else { $0.string(2, value.symbol) } }
                    }
                }
            }
        }
    }
}
