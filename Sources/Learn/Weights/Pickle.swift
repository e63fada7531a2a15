/// What a restricted pickle builds: plain values, containers, and the few torch objects a state dict holds.
/// Containers are values; `Unpickler` keeps its memo's copies in step with them (see `mutateTop`).
enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    /// A dict or an `OrderedDict`: pairs in insertion order either way.
    case dict(PickleDict)
    /// An allowed global, named `module.name`; only REDUCE, NEWOBJ and persistent ids use it.
    case global(String)
    /// What a persistent id names: a storage in the archive's `data/` folder.
    case storage(TorchStorage)
    case tensor(TorchTensor)

    /// Containers within containers: bounded, so that no pickle can make walking or freeing a value overflow the stack.
    var depth: Int {
        switch self {
        case .tuple(let tuple): tuple.depth
        case .list(let list): list.depth
        case .dict(let dict): dict.depth
        default: 0
        }
    }

    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict(let dict): dict.ordered ? "OrderedDict" : "dict"
        case .global(let name): name
        case .storage: "storage"
        case .tensor: "tensor"
        }
    }
}

struct PickleTuple: Sendable {
    let items: [PickleValue]
    let depth: Int

    init(_ items: [PickleValue]) { (self.items, depth) = (items, 1 + (items.map(\.depth).max() ?? 0)) }
}

struct PickleList: Sendable {
    let id: Int
    private(set) var items: [PickleValue] = []
    private(set) var depth = 1

    init(id: Int) { self.id = id }

    mutating func append(_ value: PickleValue) {
        items.append(value)
        depth = max(depth, value.depth + 1)
    }
}

struct PickleDict: Sendable {
    let id: Int
    let ordered: Bool
    private(set) var pairs: [(key: PickleValue, value: PickleValue)] = []
    private(set) var depth = 1
    /// Where each string key sits in `pairs`: setting a key again replaces its value, as in Python.
    private var index: [String: Int] = [:]

    init(id: Int, ordered: Bool) { (self.id, self.ordered) = (id, ordered) }

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        depth = max(depth, key.depth + 1, value.depth + 1)
        guard case .string(let name) = key else { return pairs.append((key, value)) }
        if let at = index[name] { return pairs[at].value = value }
        index[name] = pairs.count
        pairs.append((key, value))
    }

    subscript(name: String) -> PickleValue? { index[name].map { pairs[$0].value } }
}

/// A pickle virtual machine that knows only what `torch.save` writes for a state dict. It never imports or
/// calls anything: GLOBAL and STACK_GLOBAL are checked against `callables` and `storages` the moment they
/// are read, anything else is refused, and REDUCE interprets the allowed names itself.
struct Unpickler {
    static let maximumStack = 1 << 20
    static let maximumMemo = 1 << 20
    static let maximumDepth = 100
    static let maximumGlobalName = 256

    static let callables: Set = ["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter"]
    /// torch 2.x still names tensors' storages by these legacy typed classes.
    static let storages: [String: SafeTensors.DType] = [
        "torch.FloatStorage": .f32, "torch.DoubleStorage": .f64, "torch.HalfStorage": .f16, "torch.BFloat16Storage": .bf16,
        "torch.LongStorage": .i64, "torch.IntStorage": .i32, "torch.ShortStorage": .i16, "torch.CharStorage": .i8,
        "torch.ByteStorage": .u8, "torch.BoolStorage": .bool,
    ]

    private let bytes: [UInt8]
    private var position = 0
    /// Where the opcode being run starts, for messages.
    private var opcodeStart = 0
    private var stack: [PickleValue] = []
    /// Stack heights at each open MARK; nothing pops below the innermost, as in Python's metastack.
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// The memo keys holding each list or dict, by its id, so that APPEND and SETITEM reach them too.
    private var memoKeys: [Int: Set<Int>] = [:]
    private var containers = 0

    static func load(_ bytes: [UInt8]) throws(WeightsError) -> PickleValue {
        var machine = Unpickler(bytes: bytes)
        return try machine.run()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func run() throws(WeightsError) -> PickleValue {
        while true {
            opcodeStart = position
            let opcode = UInt8(try littleEndian(1))
            switch opcode {
            case 0x80: // PROTO
                let version = UInt8(try littleEndian(1))
                guard (2...5).contains(version) else { throw .unsupported("pickle protocol \(version)") }
            case 0x95: _ = try take(8) // FRAME: only a hint for buffered readers
            case 0x7d: try push(.dict(newDict(ordered: false))) // EMPTY_DICT
            case 0x5d: try push(.list(newList())) // EMPTY_LIST
            case 0x29: try push(.tuple(PickleTuple([]))) // EMPTY_TUPLE
            case 0x28: // MARK
                guard marks.count < Self.maximumStack else { throw .malformed("more than \(Self.maximumStack) pickle marks") }
                marks.append(stack.count)
            case 0x58: try push(.string(text(try take(length(4))))) // BINUNICODE
            case 0x8c: try push(.string(text(try take(length(1))))) // SHORT_BINUNICODE
            case 0x8d: try push(.string(text(try take(length(8))))) // BINUNICODE8
            case 0x43: try push(.bytes(Array(try take(length(1))))) // SHORT_BINBYTES
            case 0x42: try push(.bytes(Array(try take(length(4))))) // BINBYTES
            case 0x4a: try push(.int(Int(Int32(truncatingIfNeeded: try littleEndian(4))))) // BININT
            case 0x4b: try push(.int(Int(try littleEndian(1)))) // BININT1
            case 0x4d: try push(.int(Int(try littleEndian(2)))) // BININT2
            case 0x8a: try push(.int(try long1())) // LONG1
            case 0x47: try push(.float(Double(bitPattern: try take(8).reduce(0) { $0 << 8 | UInt64($1) }))) // BINFLOAT, big-endian
            case 0x4e: try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case 0x74: try push(.tuple(PickleTuple(try popMark()))) // TUPLE
            case 0x85, 0x86, 0x87: try push(.tuple(PickleTuple(try pop(Int(opcode) - 0x84)))) // TUPLE1, TUPLE2, TUPLE3
            case 0x6c: // LIST
                var list = newList()
                for item in try popMark() { list.append(item) }
                try push(.list(list))
            case 0x61: try appendToTop(try pop(1)) // APPEND
            case 0x65: try appendToTop(try popMark()) // APPENDS
            case 0x64: // DICT
                let items = try popMark()
                try push(.dict(newDict(ordered: false)))
                try setOnTop(items)
            case 0x73: try setOnTop(try pop(2)) // SETITEM
            case 0x75: try setOnTop(try popMark()) // SETITEMS
            case 0x71: try memoize(Int(try littleEndian(1))) // BINPUT
            case 0x72: try memoize(Int(try littleEndian(4))) // LONG_BINPUT
            case 0x94: try memoize(memo.count) // MEMOIZE
            case 0x68, 0x6a: // BINGET, LONG_BINGET
                let key = Int(try littleEndian(opcode == 0x68 ? 1 : 4))
                guard let value = memo[key] else { throw .malformed("BINGET of memo \(key), never put, at byte \(opcodeStart)") }
                try push(value)
            case 0x63: // GLOBAL
                let module = try line()
                try push(.global(try allowed(module, try line())))
            case 0x93: // STACK_GLOBAL
                let names = try pop(2)
                guard case .string(let module) = names[0], case .string(let name) = names[1] else {
                    throw .malformed("STACK_GLOBAL of a \(names[0].kind) and a \(names[1].kind) at byte \(opcodeStart)")
                }
                try push(.global(try allowed(module, name)))
            case 0x52, 0x81: // REDUCE, NEWOBJ: the callable's arguments are a tuple either way
                let operands = try pop(2)
                try push(try apply(operands[0], operands[1]))
            case 0x62: try build(state: try pop(1)[0]) // BUILD
            case 0x51: try push(.storage(try storage(try pop(1)[0]))) // BINPERSID
            case 0x2e: return try pop(1)[0] // STOP
            default:
                throw .unsupported("pickle opcode 0x\(String(opcode, radix: 16, uppercase: false)) at byte \(opcodeStart)")
            }
        }
    }

    // MARK: Reading the stream

    private mutating func take(_ count: Int) throws(WeightsError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - position else { throw .malformed("truncated pickle at byte \(opcodeStart)") }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func littleEndian(_ width: Int) throws(WeightsError) -> UInt64 {
        try take(width).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A length prefix, refused where it runs past the end (so it always fits an Int).
    private mutating func length(_ width: Int) throws(WeightsError) -> Int {
        let length = try littleEndian(width)
        guard length <= UInt64(bytes.count - position) else { throw .malformed("truncated pickle at byte \(opcodeStart)") }
        return Int(length)
    }

    /// LONG1: a little-endian two's-complement integer of up to 8 bytes.
    private mutating func long1() throws(WeightsError) -> Int {
        let count = Int(try littleEndian(1))
        guard count <= 8 else { throw .unsupported("an integer of \(count) bytes at byte \(opcodeStart)") }
        let digits = try take(count)
        guard let top = digits.last else { return 0 }
        let value = digits.reversed().reduce(top >= 0x80 ? ~UInt64(0) : 0) { $0 << 8 | UInt64($1) }
        return Int(truncatingIfNeeded: value)
    }

    private func text(_ utf8: ArraySlice<UInt8>) throws(WeightsError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw .malformed("a string that is not UTF-8 at byte \(opcodeStart)") }
        return text
    }

    /// A GLOBAL operand: text up to a newline.
    private mutating func line() throws(WeightsError) -> String {
        let rest = bytes[position...].prefix(Self.maximumGlobalName + 1)
        guard let end = rest.firstIndex(of: 0x0a) else {
            if rest.count > Self.maximumGlobalName { throw .malformed("a GLOBAL name over \(Self.maximumGlobalName) bytes at byte \(opcodeStart)") }
            throw .malformed("truncated pickle at byte \(opcodeStart)")
        }
        let name = try text(bytes[position..<end])
        position = end + 1
        return name
    }

    // MARK: The stack and the memo

    private mutating func push(_ value: PickleValue) throws(WeightsError) {
        guard stack.count < Self.maximumStack else { throw .malformed("more than \(Self.maximumStack) values on the pickle stack") }
        guard value.depth <= Self.maximumDepth else { throw .malformed("containers nested over \(Self.maximumDepth) deep") }
        stack.append(value)
    }

    private mutating func pop(_ count: Int) throws(WeightsError) -> [PickleValue] {
        guard stack.count - count >= (marks.last ?? 0) else { throw .malformed("pickle stack underflow at byte \(opcodeStart)") }
        defer { stack.removeLast(count) }
        return Array(stack.suffix(count))
    }

    private mutating func popMark() throws(WeightsError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw .malformed("no MARK before the opcode at byte \(opcodeStart)") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func memoize(_ key: Int) throws(WeightsError) {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else { throw .malformed("pickle stack underflow at byte \(opcodeStart)") }
        guard memo[key] != nil || memo.count < Self.maximumMemo else { throw .malformed("more than \(Self.maximumMemo) memo entries") }
        if let replaced = memo[key].flatMap(Self.containerID) { memoKeys[replaced]?.remove(key) }
        memo[key] = top
        if let id = Self.containerID(top) { memoKeys[id, default: []].insert(key) }
    }

    private static func containerID(_ value: PickleValue) -> Int? {
        switch value {
        case .list(let list): list.id
        case .dict(let dict): dict.id
        default: nil
        }
    }

    private mutating func newList() -> PickleList {
        containers += 1
        return PickleList(id: containers)
    }

    private mutating func newDict(ordered: Bool) -> PickleDict {
        containers += 1
        return PickleDict(id: containers, ordered: ordered)
    }

    /// Changes the list or dict on top of the stack, and the memo's copies of it: the pickler memoizes a
    /// container before filling it, and a later BINGET must see it filled. The copies are dropped first so
    /// that the change happens in place rather than copying the container each time. Copies elsewhere (on
    /// the stack, inside other containers) keep the old value; only pickles the pickler never writes have them.
    private mutating func mutateTop(_ change: (inout PickleValue) throws(WeightsError) -> Void) throws(WeightsError) {
        guard stack.count > (marks.last ?? 0) else { throw .malformed("pickle stack underflow at byte \(opcodeStart)") }
        let keys = Self.containerID(stack[stack.count - 1]).flatMap { memoKeys[$0] } ?? []
        for key in keys { memo[key] = PickleValue.none }
        try change(&stack[stack.count - 1])
        guard stack[stack.count - 1].depth <= Self.maximumDepth else { throw .malformed("containers nested over \(Self.maximumDepth) deep") }
        for key in keys { memo[key] = stack[stack.count - 1] }
    }

    private mutating func appendToTop(_ items: [PickleValue]) throws(WeightsError) {
        let at = opcodeStart
        try mutateTop { (top: inout PickleValue) throws(WeightsError) in
            guard case .list(var list) = top else { throw .malformed("APPEND to a \(top.kind) at byte \(at)") }
            top = .none
            for item in items { list.append(item) }
            top = .list(list)
        }
    }

    /// SETITEM(S): `items` alternate keys and values.
    private mutating func setOnTop(_ items: [PickleValue]) throws(WeightsError) {
        let at = opcodeStart
        guard items.count % 2 == 0 else { throw .malformed("SETITEMS of an odd number of values at byte \(at)") }
        try mutateTop { (top: inout PickleValue) throws(WeightsError) in
            guard case .dict(var dict) = top else { throw .malformed("SETITEM on a \(top.kind) at byte \(at)") }
            top = .none
            for pair in stride(from: 0, to: items.count, by: 2) { dict.set(items[pair], items[pair + 1]) }
            top = .dict(dict)
        }
    }

    // MARK: The allowed globals

    private func allowed(_ module: String, _ name: String) throws(WeightsError) -> String {
        let global = module + "." + name
        guard Self.callables.contains(global) || Self.storages[global] != nil else { throw .forbiddenGlobal(global) }
        return global
    }

    /// REDUCE (and NEWOBJ): the allowed callables, interpreted.
    private mutating func apply(_ callable: PickleValue, _ arguments: PickleValue) throws(WeightsError) -> PickleValue {
        guard case .global(let name) = callable, case .tuple(let tuple) = arguments else {
            throw .malformed("a call of a \(callable.kind) with a \(arguments.kind) at byte \(opcodeStart)")
        }
        let arguments = tuple.items
        switch name {
        case "collections.OrderedDict":
            guard arguments.isEmpty else { throw .unsupported("an OrderedDict built from arguments at byte \(opcodeStart)") }
            return .dict(newDict(ordered: true))
        case "torch._utils._rebuild_tensor_v2":
            return .tensor(try rebuildTensor(arguments))
        case "torch._utils._rebuild_parameter":
            // (tensor, requires_grad, backward_hooks): a Parameter is its tensor here.
            guard arguments.count == 3, case .tensor = arguments[0] else { throw .malformed("_rebuild_parameter's arguments at byte \(opcodeStart)") }
            return arguments[0]
        default:
            throw .unsupported("a call of \(name) at byte \(opcodeStart)")
        }
    }

    /// (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]); the last three
    /// matter only to autograd.
    private func rebuildTensor(_ arguments: [PickleValue]) throws(WeightsError) -> TorchTensor {
        guard arguments.count == 6 || arguments.count == 7, case .storage(let storage) = arguments[0], case .int(let offset) = arguments[1],
              case .tuple(let size) = arguments[2], case .tuple(let stride) = arguments[3] else {
            throw .malformed("_rebuild_tensor_v2's arguments at byte \(opcodeStart)")
        }
        let sizes = size.items.compactMap { if case .int(let n) = $0, n >= 0 { n } else { nil } }
        let strides = stride.items.compactMap { if case .int(let n) = $0, n >= 0 { n } else { nil } }
        guard offset >= 0, sizes.count == size.items.count, strides.count == stride.items.count, sizes.count == strides.count else {
            throw .malformed("a tensor of offset \(offset), size \(size.items.map(\.kind)), stride \(stride.items.map(\.kind)) at byte \(opcodeStart)")
        }
        return TorchTensor(storage: storage, offset: offset, size: sizes, stride: strides)
    }

    /// BUILD: the only objects built are dicts, whose state is their attributes, such as the `_metadata`
    /// (module versions) that `state_dict()` attaches and that loading ignores.
    private mutating func build(state: PickleValue) throws(WeightsError) {
        let at = opcodeStart
        try mutateTop { (top: inout PickleValue) throws(WeightsError) in
            switch (top, state) {
            case (.dict, .none): return
            case (.dict, .dict(let attributes)) where attributes.pairs.allSatisfy({ if case .string = $0.key { true } else { false } }): return
            default: throw .unsupported("BUILD of a \(top.kind) from a \(state.kind) at byte \(at)")
            }
        }
    }

    /// BINPERSID: torch's persistent ids name the storage a tensor reads.
    private func storage(_ id: PickleValue) throws(WeightsError) -> TorchStorage {
        guard case .tuple(let tuple) = id, tuple.items.count == 5, case .string("storage") = tuple.items[0],
              case .global(let type) = tuple.items[1], let dtype = Self.storages[type],
              case .string(let key) = tuple.items[2], case .string = tuple.items[3], case .int(let count) = tuple.items[4], count >= 0 else {
            throw .unsupported("a persistent id other than ('storage', type, key, location, numel) at byte \(opcodeStart)")
        }
        return TorchStorage(dtype: dtype, key: key, count: count)
    }
}
