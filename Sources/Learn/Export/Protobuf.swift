/// Protocol Buffers' wire format, as much as writing ONNX needs: varints, length-delimited fields
/// (bytes, strings, nested messages, packed repeated integers) and 32-bit floats. Package-visible for the
/// fuzzer, which reads what it writes back.
/// https://protobuf.dev/programming-guides/encoding/
package struct Protobuf {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    private enum WireType: UInt64 {
        case varint = 0
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private mutating func tag(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// An int32, int64 or enum field; negative values take ten bytes, as the format says.
    package mutating func integer(_ field: Int, _ value: Int) {
        tag(field, .varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    package mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    package mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    package mutating func message(_ field: Int, _ build: (inout Protobuf) -> Void) {
        var nested = Protobuf()
        build(&nested)
        bytes(field, nested.bytes)
    }

    /// A repeated int64 field, packed (proto3's default encoding).
    package mutating func integers(_ field: Int, _ values: [Int]) {
        var packed = Protobuf()
        for value in values { packed.varint(UInt64(bitPattern: Int64(value))) }
        bytes(field, packed.bytes)
    }
}
