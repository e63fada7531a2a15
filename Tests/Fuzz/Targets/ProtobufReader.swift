/// Protocol Buffers' wire format read back, written apart from Learn's encoder so the two can check
/// each other: a message is its fields in order, a length-delimited field its raw bytes, which the
/// caller reads as a string, a nested message or packed varints as the schema says.
enum ProtobufReader {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    struct Field: Equatable {
        let number: Int
        let value: Value
    }

    static func fields(_ bytes: [UInt8]) throws(FuzzFailure) -> [Field] {
        var position = 0
        var fields: [Field] = []
        while position < bytes.count {
            let key = try varint(bytes, &position)
            let number = Int(key >> 3)
            try expect((1...0x1FFF_FFFF).contains(number), "field number \(number)")
            switch key & 7 {
            case 0: fields.append(Field(number: number, value: .varint(try varint(bytes, &position))))
            case 1: fields.append(Field(number: number, value: .fixed64(try little(bytes, &position, count: 8))))
            case 2:
                let length = try varint(bytes, &position)
                try expect(length <= UInt64(bytes.count - position), "a length of \(length) runs past the message")
                fields.append(Field(number: number, value: .bytes(Array(bytes[position..<position + Int(length)]))))
                position += Int(length)
            case 5: fields.append(Field(number: number, value: .fixed32(UInt32(try little(bytes, &position, count: 4)))))
            default: throw FuzzFailure("wire type \(key & 7) of field \(number)")
            }
        }
        return fields
    }

    /// The values of a packed repeated varint field.
    static func varints(_ bytes: [UInt8]) throws(FuzzFailure) -> [UInt64] {
        var position = 0
        var values: [UInt64] = []
        while position < bytes.count { values.append(try varint(bytes, &position)) }
        return values
    }

    private static func varint(_ bytes: [UInt8], _ position: inout Int) throws(FuzzFailure) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            try expect(position < bytes.count, "a varint runs past the message")
            let byte = bytes[position]
            position += 1
            // The tenth byte holds only the 64th bit.
            try expect(shift < 63 || byte <= 1, "a varint longer than 64 bits")
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        throw FuzzFailure("a varint longer than ten bytes")
    }

    private static func little(_ bytes: [UInt8], _ position: inout Int, count: Int) throws(FuzzFailure) -> UInt64 {
        try expect(bytes.count - position >= count, "a fixed-width value runs past the message")
        defer { position += count }
        return bytes[position..<position + count].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension [ProtobufReader.Field] {
    func all(_ number: Int) -> [ProtobufReader.Value] {
        filter { $0.number == number }.map(\.value)
    }

    func strings(_ number: Int) -> [String] {
        all(number).compactMap { if case .bytes(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }
    }

    func messages(_ number: Int) throws(FuzzFailure) -> [[ProtobufReader.Field]] {
        var messages: [[ProtobufReader.Field]] = []
        for value in all(number) {
            guard case .bytes(let bytes) = value else { throw FuzzFailure("field \(number) is not a message") }
            messages.append(try ProtobufReader.fields(bytes))
        }
        return messages
    }

    func integers(_ number: Int) -> [Int64] {
        all(number).compactMap { if case .varint(let value) = $0 { Int64(bitPattern: value) } else { nil } }
    }
}
