/// The weights of an ONNX model: its graph's initializers (onnx/onnx.proto: ModelProto.graph 7,
/// GraphProto.initializer 5), in the file's order, read with `ProtobufReader` and no ONNX library. Every
/// element type a weight or a constant takes becomes float32, whether the file keeps it in `raw_data` or
/// in the typed field the ONNX spec gives its type. Data in an external file, sparse initializers and
/// tensors split into segments are refused, as are values that do not fill the tensor's shape.
public enum ONNXInitializers {
    /// The most values one tensor may hold: 8 GiB of float32.
    public static let maximumValues = 1 << 31

    public static func read(_ bytes: [UInt8]) throws(WeightsError) -> NamedTensors {
        var tensors = NamedTensors()
        var (model, graphs) = (ProtobufReader(bytes[...]), 0)
        while let field = try model.next() {
            guard field.number == 7 else { continue }
            // A message field given twice is merged, and its repeated fields, initializers among them, concatenate.
            graphs += 1
            var graph = ProtobufReader(try field.lengthDelimited())
            while let field = try graph.next() {
                switch field.number {
                case 5:
                    var tensor = TensorFields()
                    var reader = ProtobufReader(try field.lengthDelimited())
                    while let field = try reader.next() { try tensor.read(field) }
                    try tensors.append(try tensor.entry(at: field.offset))
                case 15: throw .unsupported("the graph has sparse initializers, at byte \(field.offset)")
                default: continue
                }
            }
        }
        guard graphs > 0 else { throw .malformed("no graph (ModelProto's field 7) in \(bytes.count) bytes") }
        return tensors
    }

    /// TensorProto's data types read, and where each keeps its values when not in `raw_data`.
    enum ElementType: Int {
        case float = 1, uint8 = 2, int8 = 3, int16 = 5, int32 = 6, int64 = 7, bool = 9, float16 = 10, double = 11, bfloat16 = 16

        /// Its layout in `raw_data`: little-endian, as safetensors' same-named types.
        var layout: SafeTensors.DType {
            switch self {
            case .float: .f32
            case .uint8: .u8
            case .int8: .i8
            case .int16: .i16
            case .int32: .i32
            case .int64: .i64
            case .bool: .bool
            case .float16: .f16
            case .double: .f64
            case .bfloat16: .bf16
            }
        }

        /// float_data 4, int32_data 5 (which also holds the narrower types, float16 and bfloat16 as their
        /// bits), int64_data 7, double_data 10.
        var field: Int {
            switch self {
            case .float: 4
            case .int64: 7
            case .double: 10
            default: 5
            }
        }

        /// An int32_data value as this type.
        func float(_ value: Int32) -> Float {
            switch self {
            case .float16: Float(Float16(bitPattern: UInt16(truncatingIfNeeded: value)))
            case .bfloat16: Float(bitPattern: UInt32(UInt16(truncatingIfNeeded: value)) << 16)
            default: Float(value)
            }
        }
    }
}

/// A TensorProto's fields as they come: the format lets them come in any order, so its type, and so what
/// its values mean, is known only at the end.
private struct TensorFields {
    var name = ""
    var dims: [Int64] = []
    var dataType = 0
    var raw: ArraySlice<UInt8>?
    var floats: [Float] = [], int32s: [Int32] = [], int64s: [Int64] = [], doubles: [Double] = []
    /// Values of types not read, counted to refuse them where a type that is read is declared.
    var strings = 0, unsigned = 0
    var external = false, segmented = false

    mutating func read(_ field: ProtobufReader.Field) throws(WeightsError) {
        switch field.number {
        case 1: dims += try field.varints().map { Int64(bitPattern: $0) }
        case 2: dataType = Int(Int32(truncatingIfNeeded: try field.varint()))
        case 3: segmented = true
        case 4: floats += try field.floats()
        case 5: int32s += try field.varints().map { Int32(truncatingIfNeeded: $0) }
        case 6: _ = try field.lengthDelimited(); strings += 1
        case 7: int64s += try field.varints().map { Int64(bitPattern: $0) }
        case 8: name = String(decoding: try field.lengthDelimited(), as: UTF8.self)
        case 9: raw = try field.lengthDelimited()
        case 10: doubles += try field.doubles()
        case 11: unsigned += try field.varints().count
        case 13: _ = try field.lengthDelimited(); external = true
        // data_location: EXTERNAL is 1.
        case 14: if try field.varint() == 1 { external = true }
        default: break
        }
    }

    func entry(at offset: Int) throws(WeightsError) -> NamedTensors.Entry {
        guard !name.isEmpty else { throw .malformed("an initializer without a name at byte \(offset)") }
        if external { throw .unsupported("initializer \(name) keeps its data in an external file") }
        if segmented { throw .unsupported("initializer \(name) is one segment of a larger tensor") }
        guard let type = ONNXInitializers.ElementType(rawValue: dataType) else {
            throw .unsupported("initializer \(name) has data type \(dataType), which is not a number Quarry reads")
        }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw .malformed("initializer \(name) has dimensions \(dims)") }
        let shape = dims.map { Int($0) }
        // Multiplied in order, as `NamedTensors.Entry` checks the shape: a zero after an overflow is too late.
        var (count, overflow) = (1, false)
        for size in shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: size) }
        guard !overflow, count <= ONNXInitializers.maximumValues else {
            throw .unsupported("initializer \(name) of shape \(shape) holds more than \(ONNXInitializers.maximumValues) values")
        }
        // raw_data, where present, is the only place the values may be; otherwise the type's own field is.
        let home = raw == nil ? type.field : 9
        let stored = [(4, "float_data", floats.count), (5, "int32_data", int32s.count), (6, "string_data", strings),
                      (7, "int64_data", int64s.count), (9, "raw_data", raw == nil ? 0 : 1), (10, "double_data", doubles.count),
                      (11, "uint64_data", unsigned)]
        if let misplaced = stored.first(where: { $0.0 != home && $0.2 > 0 }) {
            throw .malformed("initializer \(name) of type \(type) has values in \(misplaced.1)")
        }
        let values: [Float]
        if let raw {
            guard raw.count == count * type.layout.size else {
                throw .malformed("initializer \(name) has \(raw.count) bytes of raw_data for shape \(shape) of \(type)")
            }
            values = raw.withUnsafeBytes { type.layout.floats($0) }
        } else {
            switch type.field {
            case 4: values = floats
            case 7: values = int64s.map { Float($0) }
            case 10: values = doubles.map { Float($0) }
            default: values = int32s.map(type.float)
            }
            guard values.count == count else {
                throw .malformed("initializer \(name) has \(values.count) values for shape \(shape)")
            }
        }
        return NamedTensors.Entry(name: name, shape: shape, values: values)
    }
}
