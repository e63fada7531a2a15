import Learn

/// An exported model is read by tools Quarry does not control, so what the writer emits must parse
/// back to exactly what was meant: the protobuf encoder for any field number and value, and a whole
/// model for any options a client may send (opset, input shape, batch name, metadata text).
enum ONNXFuzz {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        var input = FuzzInput(bytes)
        if input.bool() {
            try encoderRoundTrip(&input)
        } else {
            try exportRoundTrip(&input)
        }
    }

    // MARK: The encoder

    private indirect enum Written {
        case integer(Int, Int)
        case float(Int, Float)
        case bytes(Int, [UInt8])
        case integers(Int, [Int])
        case message(Int, [Written])
    }

    private static func encoderRoundTrip(_ input: inout FuzzInput) throws(FuzzFailure) {
        let written = fields(&input, depth: 0)
        var encoder = Protobuf()
        write(written, into: &encoder)
        try check(try ProtobufReader.fields(encoder.bytes), against: written)
    }

    private static func fields(_ input: inout FuzzInput, depth: Int) -> [Written] {
        (0..<input.int(in: 0...8)).map { _ in
            let number = max(1, Int(input.uint32() & 0x1FFF_FFFF))
            switch input.int(in: 0...4) {
            case 0: return .integer(number, Int(Int64(bitPattern: input.uint64())))
            case 1: return .float(number, Float(bitPattern: input.uint32()))
            case 2: return .bytes(number, input.bytes(upTo: 40))
            case 3: return .integers(number, (0..<input.int(in: 0...6)).map { _ in Int(Int64(bitPattern: input.uint64())) })
            default: return depth < 3 ? .message(number, fields(&input, depth: depth + 1)) : .bytes(number, [])
            }
        }
    }

    private static func write(_ fields: [Written], into encoder: inout Protobuf) {
        for field in fields {
            switch field {
            case .integer(let number, let value): encoder.integer(number, value)
            case .float(let number, let value): encoder.float(number, value)
            case .bytes(let number, let value): encoder.bytes(number, value)
            case .integers(let number, let values): encoder.integers(number, values)
            case .message(let number, let nested): encoder.message(number) { write(nested, into: &$0) }
            }
        }
    }

    private static func check(_ read: [ProtobufReader.Field], against written: [Written]) throws(FuzzFailure) {
        try expect(read.count == written.count, "wrote \(written.count) fields, read \(read.count)")
        for (field, meant) in zip(read, written) {
            switch (meant, field.value) {
            case (.integer(let number, let value), .varint(let raw)):
                try expect(field.number == number && Int64(bitPattern: raw) == Int64(value), "integer \(value) in field \(number) read as \(field)")
            case (.float(let number, let value), .fixed32(let raw)):
                try expect(field.number == number && raw == value.bitPattern, "float \(value) in field \(number) read as \(field)")
            case (.bytes(let number, let value), .bytes(let raw)):
                try expect(field.number == number && raw == value, "bytes in field \(number) read as \(field)")
            case (.integers(let number, let values), .bytes(let raw)):
                let read = try ProtobufReader.varints(raw).map { Int(Int64(bitPattern: $0)) }
                try expect(field.number == number && read == values, "integers \(values) in field \(number) read as \(read)")
            case (.message(let number, let nested), .bytes(let raw)):
                try expect(field.number == number, "a message in field \(number) read in field \(field.number)")
                try check(try ProtobufReader.fields(raw), against: nested)
            default:
                throw FuzzFailure("wrote \(meant), read \(field)")
            }
        }
    }

    // MARK: Whole models

    private static func exportRoundTrip(_ input: inout FuzzInput) throws(FuzzFailure) {
        let channels = input.int(in: 1...4), side = input.int(in: 2...12), classes = input.int(in: 1...12)
        var random = Random(seed: input.uint64())
        let model = SmallCNN.make(classes: classes, inputSize: side, channels: channels, random: &random)
        // Now and then an opset outside the range, or an input of the wrong channel count or rank.
        let opset = input.int(in: 11...18)
        let shapeChoice = input.int(in: 0...7)
        let batch = input.int(in: 1...8)
        var options = ONNXExport.Options(inputShape: [batch, shapeChoice == 0 ? channels + 1 : channels, side, side])
        if shapeChoice == 1 { options.inputShape.removeLast() }
        options.opset = opset
        options.simplify = input.bool()
        options.batchName = input.bool() ? nil : text(&input)
        options.metadata = (0..<input.int(in: 0...3)).map { _ in (text(&input), text(&input)) }
        let file: [UInt8]
        do {
            file = try ONNXExport.export(model, options: options)
        } catch {
            switch error {
            case .opset: try expect(!ONNXExport.opsets.contains(opset), "opset \(opset) was refused")
            case .inputShape, .unsupported: try expect(shapeChoice <= 1, "input shape \(options.inputShape) was refused for \(channels) channels")
            }
            return
        }
        try expect(ONNXExport.opsets.contains(opset) && shapeChoice > 1, "exported opset \(opset) for input \(options.inputShape)")
        try checkModel(try ProtobufReader.fields(file), options: options, classes: classes)
    }

    private static func text(_ input: inout FuzzInput) -> String {
        String(decoding: input.bytes(upTo: 24), as: UTF8.self)
    }

    /// The ModelProto's opset and metadata, and a graph whose every node reads only names defined
    /// before it: the input, an initializer, or an earlier node's output.
    private static func checkModel(_ model: [ProtobufReader.Field], options: ONNXExport.Options, classes: Int) throws(FuzzFailure) {
        let opsets = try model.messages(8)
        try expect(opsets.count == 1 && opsets[0].integers(2) == [Int64(options.opset)], "opset_import \(opsets) for \(options.opset)")
        let metadata = try model.messages(14).map { ($0.strings(1).first ?? "", $0.strings(2).first ?? "") }
        try expect(metadata.elementsEqual(options.metadata, by: ==), "metadata \(metadata) for \(options.metadata)")
        let graphs = try model.messages(7)
        try expect(graphs.count == 1, "\(graphs.count) graphs")
        var defined: Set<String> = ["input"]
        for initializer in try graphs[0].messages(5) {
            let name = initializer.strings(8).first ?? ""
            var dims: [UInt64] = []
            for value in initializer.all(1) {
                guard case .bytes(let packed) = value else { throw FuzzFailure("initializer \(name) has unpacked dims") }
                dims += try ProtobufReader.varints(packed)
            }
            guard case .bytes(let data) = initializer.all(9).first else { throw FuzzFailure("initializer \(name) has no raw_data") }
            try expect(UInt64(data.count) == dims.reduce(4, *), "initializer \(name) of \(dims) holds \(data.count) bytes")
            try expect(defined.insert(name).inserted, "initializer \(name) is defined twice")
        }
        for node in try graphs[0].messages(1) {
            let op = node.strings(4).first ?? ""
            for name in node.strings(1) { try expect(defined.contains(name), "\(op) reads \(name) before it is made") }
            for name in node.strings(2) { try expect(defined.insert(name).inserted, "\(op) makes \(name) again") }
        }
        try expect(defined.contains("output"), "no node makes the output")
        let outputs = try graphs[0].messages(12)
        let dims = try outputs.first?.messages(2).first?.messages(1).first?.messages(2).first?.messages(1) ?? []
        try expect(dims.count == 2 && dims[1].integers(1) == [Int64(classes)], "the output's shape \(dims) for \(classes) classes")
        if let name = options.batchName {
            try expect(dims[0].strings(2) == [name], "the output's batch is \(dims[0]), not \(name)")
        } else {
            try expect(dims[0].integers(1) == [Int64(options.inputShape[0])], "the output's batch is \(dims[0])")
        }
    }
}
