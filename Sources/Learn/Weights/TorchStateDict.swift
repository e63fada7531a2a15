/// PyTorch's own format, as `torch.save(model.state_dict(), f)` writes it: a zip whose one top folder holds
/// `data.pkl` (a pickle of name → tensor, each tensor naming a storage by key), each storage's raw
/// little-endian elements as `data/<key>`, and small records (`version`, `byteorder`). The pickle is
/// interpreted by `Unpickler`, which runs nothing. The zip itself is the caller's: these functions see
/// entry names and bytes only.
public enum TorchStateDict {
    /// Elements a view may read beyond its storage's size (a stride-0 expansion): more than this and the
    /// file is refused, so that a tiny file cannot ask for an enormous tensor.
    static let maximumExpansion = 1 << 24

    /// The tensors of the archive whose entries are `entryNames`, read through `entry`, in the pickle's
    /// order. Values that are not tensors are skipped; a checkpoint whose top level holds none but has a
    /// `state_dict` or `model` dict is read from that dict.
    public static func read(entryNames: [String], entry: (String) throws -> [UInt8]) throws -> NamedTensors {
        let pickles = entryNames.filter { name in
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1] == "data.pkl"
        }
        guard pickles.count == 1 else {
            throw WeightsError.malformed(pickles.isEmpty ? "no <folder>/data.pkl: not a PyTorch zip file" : "\(pickles.count) data.pkl entries")
        }
        let prefix = String(pickles[0].dropLast("/data.pkl".count))
        let names = Set(entryNames)
        if names.contains(prefix + "/byteorder") {
            let order = try entry(prefix + "/byteorder")
            guard order == Array("little".utf8) else { throw WeightsError.unsupported("byte order \"\(String(decoding: order, as: UTF8.self))\"") }
        }
        let tensors = try Self.tensors(in: Unpickler.load(try entry(pickles[0])), nested: false)
        // Views share storages (a tensor and its transpose, say): those are decoded once and kept; others are not kept.
        var uses: [String: Int] = [:]
        for (_, tensor) in tensors { uses[tensor.storage.key, default: 0] += 1 }
        var shared: [String: (storage: TorchStorage, values: [Float])] = [:]
        var result = NamedTensors()
        for (name, tensor) in tensors {
            let storage = tensor.storage
            var values: [Float]
            if let kept = shared[storage.key] {
                guard kept.storage == storage else { throw WeightsError.malformed("storage \(storage.key) is named with two types or sizes") }
                values = kept.values
            } else {
                let path = "\(prefix)/data/\(storage.key)"
                guard names.contains(path) else { throw WeightsError.malformed("\"\(name)\" reads \(path), which the archive lacks") }
                let raw = try entry(path)
                let (size, overflow) = storage.count.multipliedReportingOverflow(by: storage.dtype.size)
                guard !overflow, raw.count == size else {
                    throw WeightsError.malformed("\(path) holds \(raw.count) bytes where \(storage.count) of \(storage.dtype.rawValue) take \(overflow ? "more" : "\(size)")")
                }
                values = raw.withUnsafeBytes { storage.dtype.floats($0) }
                if uses[storage.key, default: 0] > 1 { shared[storage.key] = (storage, values) }
            }
            try result.append(.init(name: name, shape: tensor.size, values: try gather(tensor, from: values, name: name)))
        }
        return result
    }

    /// The entries of a zip that `torch.load(f, weights_only=True)` reads back as an OrderedDict of float32
    /// tensors: what `torch.save` writes, less the records only its newer versions add (`.format_version`,
    /// `.storage_alignment`, `.data/serialization_id`), which loading does not need. Torch writes its
    /// entries stored (uncompressed) and pads data to 64-byte boundaries; torch 2.x loads entries deflated or
    /// unpadded too (`mmap=True` included), so both are the zip writer's choice.
    public static func write(_ tensors: NamedTensors, archiveName: String = "archive") -> [(name: String, bytes: [UInt8])] {
        var entries = [(name: "\(archiveName)/data.pkl", bytes: StateDictPickle.write(tensors)),
                       (name: "\(archiveName)/byteorder", bytes: Array("little".utf8))]
        for (key, tensor) in tensors.entries.enumerated() {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(4 * tensor.values.count)
            for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
            entries.append((name: "\(archiveName)/data/\(key)", bytes: bytes))
        }
        entries.append((name: "\(archiveName)/version", bytes: Array("3\n".utf8)))
        return entries
    }

    /// The string-keyed tensors of a dict, in order.
    static func tensors(in root: PickleValue, nested: Bool) throws(WeightsError) -> [(name: String, tensor: TorchTensor)] {
        guard case .dict(let dict) = root else { throw .unsupported("the pickle holds a \(root.kind), not a dict of tensors") }
        let found = dict.pairs.compactMap { pair -> (name: String, tensor: TorchTensor)? in
            guard case .string(let name) = pair.key, case .tensor(let tensor) = pair.value else { return nil }
            return (name, tensor)
        }
        if found.isEmpty && !nested, let inner = ["state_dict", "model"].lazy.compactMap({ dict[$0] }).first(where: { if case .dict = $0 { true } else { false } }) {
            return try tensors(in: inner, nested: true)
        }
        return found
    }

    /// The elements a view reads, in row-major order of its size; every one is checked to lie in the storage.
    static func gather(_ tensor: TorchTensor, from storage: [Float], name: String) throws(WeightsError) -> [Float] {
        var count = 1
        var last = tensor.offset
        for (size, stride) in zip(tensor.size, tensor.stride) {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            let (reach, reachOverflow) = max(size - 1, 0).multipliedReportingOverflow(by: stride)
            guard !overflow, !reachOverflow, !last.addingReportingOverflow(reach).overflow else {
                throw .malformed("\"\(name)\": size \(tensor.size) and stride \(tensor.stride) overflow")
            }
            (count, last) = (product, last + reach)
        }
        if count == 0 { return [] }
        guard last < storage.count else {
            throw .malformed("\"\(name)\": offset \(tensor.offset), size \(tensor.size), stride \(tensor.stride) read past a storage of \(storage.count)")
        }
        guard count <= max(storage.count, maximumExpansion) else {
            throw .unsupported("\"\(name)\": \(count) elements expanded from a storage of \(storage.count)")
        }
        let contiguous = tensor.size.indices.map { tensor.size[($0 + 1)...].reduce(1, *) }
        if tensor.stride == contiguous { return Array(storage[tensor.offset..<tensor.offset + count]) }
        // An odometer over the indices, innermost fastest, moving the storage position by each stride.
        var values: [Float] = []
        values.reserveCapacity(count)
        var index = [Int](repeating: 0, count: tensor.size.count)
        var at = tensor.offset
        for _ in 0..<count {
            values.append(storage[at])
            for axis in index.indices.reversed() {
                index[axis] += 1
                at += tensor.stride[axis]
                if index[axis] < tensor.size[axis] { break }
                at -= tensor.stride[axis] * tensor.size[axis]
                index[axis] = 0
            }
        }
        return values
    }
}

/// A storage as a persistent id names it: `('storage', torch.FloatStorage, key, location, numel)`.
struct TorchStorage: Sendable, Equatable {
    let dtype: SafeTensors.DType
    let key: String
    let count: Int
}

/// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`, not yet read from the storage.
struct TorchTensor: Sendable {
    let storage: TorchStorage
    let offset: Int
    let size: [Int]
    let stride: [Int]
}

/// The pickle `torch.save` writes for a state dict, protocol 2, with float32 storages keyed by position:
/// `OrderedDict([(name, _rebuild_tensor_v2(persistent_id(('storage', torch.FloatStorage, key, 'cpu', numel)),
/// 0, size, stride, False, OrderedDict())), ...])`. No memo: it only makes the pickle smaller.
enum StateDictPickle {
    static func write(_ tensors: NamedTensors) -> [UInt8] {
        var bytes: [UInt8] = [0x80, 2] // PROTO 2
        bytes += global("collections", "OrderedDict") + [0x29, 0x52] // EMPTY_TUPLE, REDUCE
        bytes.append(0x28) // MARK
        for (key, tensor) in tensors.entries.enumerated() {
            bytes += string(tensor.name) + global("torch._utils", "_rebuild_tensor_v2")
            bytes.append(0x28) // MARK of the arguments
            bytes += [0x28] + string("storage") + global("torch", "FloatStorage") + string("\(key)") + string("cpu")
            bytes += int(tensor.values.count) + [0x74, 0x51] // TUPLE, BINPERSID
            bytes += int(0)
            let strides = tensor.shape.indices.map { tensor.shape[($0 + 1)...].reduce(1, *) }
            bytes += [0x28] + tensor.shape.flatMap(int) + [0x74] // the size
            bytes += [0x28] + strides.flatMap(int) + [0x74] // the stride
            bytes += [0x89] + global("collections", "OrderedDict") + [0x29, 0x52] // requires_grad False, no hooks
            bytes += [0x74, 0x52] // TUPLE, REDUCE
        }
        bytes += [0x75, 0x2e] // SETITEMS, STOP
        return bytes
    }

    static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }

    /// BINUNICODE.
    static func string(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        return [0x58] + (0..<4).map { UInt8(truncatingIfNeeded: utf8.count >> (8 * $0)) } + utf8
    }

    /// BININT where it fits 32 bits, LONG1 of 8 bytes otherwise.
    static func int(_ value: Int) -> [UInt8] {
        if let small = Int32(exactly: value) { return [0x4a] + (0..<4).map { UInt8(truncatingIfNeeded: small >> (8 * $0)) } }
        return [0x8a, 8] + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
