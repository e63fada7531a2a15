/// Protocol Buffers' wire format read back, as much as reading an ONNX model's weights needs: the fields
/// of a message one at a time, each a varint, a fixed64, a fixed32 or a length-delimited payload (bytes,
/// a string, a nested message, a packed repeated field). Every varint and length is checked against the
/// bytes there are, so that a truncated or hostile file is refused, never read past. Nested messages are
/// slices of the file's bytes, so the offsets errors give count from the start of the file.
/// https://protobuf.dev/programming-guides/encoding/
struct ProtobufReader {
    struct Field {
        let number: Int
        /// Where its tag starts.
        let offset: Int
        let value: Value
    }

    /// A field's payload; the case is its wire type.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// The next field, or nil at the end of the message. Unknown fields are the caller's to skip: their
    /// payload is already stepped over.
    mutating func next() throws(WeightsError) -> Field? {
        guard position < bytes.endIndex else { return nil }
        let offset = position
        let tag = try Self.varint(bytes, &position)
        let number = tag >> 3
        guard number >= 1, number < 1 << 29 else { throw .malformed("field number \(number) at byte \(offset)") }
        let value: Value
        switch tag & 7 {
        case 0: value = .varint(try Self.varint(bytes, &position))
        case 1: value = .fixed64(try fixed(8))
        case 2:
            let start = position
            let length = try Self.varint(bytes, &position)
            guard length <= UInt64(bytes.endIndex - position) else {
                throw .malformed("a length of \(length) where \(bytes.endIndex - position) bytes are left at byte \(start)")
            }
            value = .lengthDelimited(bytes[position..<position + Int(length)])
            position += Int(length)
        case 3, 4: throw .unsupported("a group (wire type \(tag & 7)), which ONNX never writes, at byte \(offset)")
        case 5: value = .fixed32(UInt32(try fixed(4)))
        default: throw .malformed("wire type \(tag & 7) at byte \(offset)")
        }
        return Field(number: Int(number), offset: offset, value: value)
    }

    /// `size` little-endian bytes.
    private mutating func fixed(_ size: Int) throws(WeightsError) -> UInt64 {
        guard bytes.endIndex - position >= size else { throw .malformed("\(size) bytes cut short at byte \(position)") }
        defer { position += size }
        return (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << (8 * $1) }
    }

    /// At most ten bytes, seven bits each, least significant first. Bits past the 64th are dropped, as
    /// protobuf's own parsers drop them.
    static func varint(_ bytes: ArraySlice<UInt8>, _ position: inout Int) throws(WeightsError) -> UInt64 {
        let start = position
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 70, by: 7) {
            guard position < bytes.endIndex else { throw .malformed("a varint cut short at byte \(start)") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        throw .malformed("a varint longer than 10 bytes at byte \(start)")
    }
}

extension ProtobufReader.Field {
    func varint() throws(WeightsError) -> UInt64 {
        guard case .varint(let value) = value else { throw mismatch("a varint") }
        return value
    }

    func lengthDelimited() throws(WeightsError) -> ArraySlice<UInt8> {
        guard case .lengthDelimited(let payload) = value else { throw mismatch("length-delimited") }
        return payload
    }

    /// A repeated integer field's values here: one, or a packed run of them.
    func varints() throws(WeightsError) -> [UInt64] {
        switch value {
        case .varint(let value): return [value]
        case .lengthDelimited(let packed):
            var (values, position) = ([UInt64](), packed.startIndex)
            while position < packed.endIndex { values.append(try ProtobufReader.varint(packed, &position)) }
            return values
        default: throw mismatch("varints")
        }
    }

    /// A repeated float field's values here: one, or a packed run of them.
    func floats() throws(WeightsError) -> [Float] {
        switch value {
        case .fixed32(let bits): return [Float(bitPattern: bits)]
        case .lengthDelimited(let packed): return try unpack(packed) { (bits: UInt32) in Float(bitPattern: bits) }
        default: throw mismatch("floats")
        }
    }

    /// A repeated double field's values here: one, or a packed run of them.
    func doubles() throws(WeightsError) -> [Double] {
        switch value {
        case .fixed64(let bits): return [Double(bitPattern: bits)]
        case .lengthDelimited(let packed): return try unpack(packed) { (bits: UInt64) in Double(bitPattern: bits) }
        default: throw mismatch("doubles")
        }
    }

    /// Little-endian values of `Bits`' width each.
    private func unpack<Bits: FixedWidthInteger, T>(_ packed: ArraySlice<UInt8>, _ make: (Bits) -> T) throws(WeightsError) -> [T] {
        let size = MemoryLayout<Bits>.size
        guard packed.count % size == 0 else {
            throw .malformed("field \(number) packs \(packed.count) bytes, not a multiple of \(size), at byte \(offset)")
        }
        return packed.withUnsafeBytes { raw in
            (0..<raw.count / size).map { make(Bits(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: Bits.self))) }
        }
    }

    private func mismatch(_ expected: String) -> WeightsError {
        let found = switch value {
        case .varint: "a varint"
        case .fixed64: "a fixed64"
        case .lengthDelimited: "length-delimited"
        case .fixed32: "a fixed32"
        }
        return .malformed("field \(number) is \(found) where it should be \(expected), at byte \(offset)")
    }
}
