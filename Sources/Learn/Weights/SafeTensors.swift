import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range in the data that follows, then the data. Nothing in it runs, which is
/// why it exists. Reading checks every range against the data (in bounds, the size its shape and dtype make, no
/// overlap), as the reference implementation does; floats of any width and integers become float32.
public enum SafeTensors {
    /// The reference implementation's own bound on the header.
    public static let maximumHeaderBytes = 100 << 20

    public static func read(_ bytes: [UInt8]) throws(WeightsError) -> NamedTensors {
        guard bytes.count >= 8 else { throw .malformed("\(bytes.count) bytes, shorter than the 8-byte header length") }
        let length = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(maximumHeaderBytes), 8 + Int(length) <= bytes.count else {
            throw .malformed("a header of \(length) bytes in a file of \(bytes.count)")
        }
        let header = Array(bytes[8..<8 + Int(length)])
        guard let object = try? JSONSerialization.jsonObject(with: Data(header)), let entries = object as? [String: Any] else {
            throw .malformed("the header is not a JSON object")
        }
        let keys = JSONKeys.keys(header)
        if let name = JSONKeys.firstRepeated(keys) ?? (keys.count == entries.count ? nil : "(a name)") { throw .duplicated(name) }
        let data = bytes[(8 + Int(length))...]
        var located: [(name: String, dtype: DType, shape: [Int], range: Range<Int>)] = []
        for (name, value) in entries where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtypeName = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .malformed("\"\(name)\" lacks a dtype, a shape or two data offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else { throw .unsupported("\"\(name)\" has dtype \(dtypeName)") }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= data.count else {
                throw .malformed("\"\(name)\": shape \(shape), bytes \(offsets[0]) to \(offsets[1]) of \(data.count)")
            }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard count < Int.max / 8, count * dtype.size == offsets[1] - offsets[0] else {
                throw .malformed("\"\(name)\": \(offsets[1] - offsets[0]) bytes for \(shape) of \(dtype.rawValue)")
            }
            located.append((name, dtype, shape, offsets[0]..<offsets[1]))
        }
        // By place in the data (the file's order), then by name, so that every read reports the same overlap.
        located.sort { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        for (before, after) in zip(located, located.dropFirst()) where after.range.lowerBound < before.range.upperBound {
            throw .malformed("\"\(before.name)\" and \"\(after.name)\" overlap")
        }
        var tensors = NamedTensors()
        for tensor in located {
            let start = data.startIndex + tensor.range.lowerBound
            let values = data[start..<start + tensor.range.count].withUnsafeBytes { tensor.dtype.floats($0) }
            try tensors.append(.init(name: tensor.name, shape: tensor.shape, values: values))
        }
        return tensors
    }

    /// The tensors as float32 in their order, with `metadata` as the header's `__metadata__`.
    public static func write(_ tensors: NamedTensors, metadata: [String: String] = [:]) -> [UInt8] {
        var fields: [String: Any] = [:]
        var offset = 0
        for entry in tensors.entries {
            fields[entry.name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + 4 * entry.values.count]] as [String: Any]
            offset += 4 * entry.values.count
        }
        if !metadata.isEmpty { fields["__metadata__"] = metadata }
        var header = [UInt8]((try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8))
        // Spaces up to a multiple of 8, so that the data is aligned for readers that map it.
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * $0)) } + header
        bytes.reserveCapacity(bytes.count + offset)
        for entry in tensors.entries {
            for value in entry.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        }
        return bytes
    }

    /// The element types read, by their names in the header.
    enum DType: String {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        var size: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16, .bf16, .i16: 2
            case .i8, .u8, .bool: 1
            }
        }

        /// Little-endian elements as float32.
        func floats(_ raw: UnsafeRawBufferPointer) -> [Float] {
            (0..<raw.count / size).map { i in
                let at = i * size
                switch self {
                case .f64: return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
                case .f32: return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                case .f16: return Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
                case .bf16: return Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))) << 16)
                case .i64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                case .i32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                case .i16: return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self)))
                case .i8: return Float(raw.load(fromByteOffset: at, as: Int8.self))
                case .u8, .bool: return Float(raw[at])
                }
            }
        }
    }
}

/// The keys of a JSON text's outermost object, as written (escapes undecoded): Foundation's parser keeps the
/// last of repeated keys without a word, and a weights file naming one tensor twice must be refused.
enum JSONKeys {
    /// The first key that comes again, or nil.
    static func firstRepeated(_ keys: [[UInt8]]) -> String? {
        var seen = Set<[UInt8]>()
        return keys.first { !seen.insert($0).inserted }.map { String(decoding: $0, as: UTF8.self) }
    }

    static func keys(_ text: [UInt8]) -> [[UInt8]] {
        var (keys, depth, expectingKey, i) = ([[UInt8]](), 0, false, 0)
        while i < text.count {
            switch text[i] {
            case UInt8(ascii: "\""):
                var end = i + 1
                while end < text.count && text[end] != UInt8(ascii: "\"") { end += text[end] == UInt8(ascii: "\\") ? 2 : 1 }
                if depth == 1 && expectingKey { keys.append(Array(text[(i + 1)..<min(end, text.count)])) }
                (expectingKey, i) = (false, end + 1)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = depth == 1 && text[i] == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ","): expectingKey = depth == 1
            default: break
            }
            i += 1
        }
        return keys
    }
}
