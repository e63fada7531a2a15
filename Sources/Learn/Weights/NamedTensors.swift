/// Tensors by name, in a file's order: what a weights file holds once read (safetensors, a PyTorch state
/// dict, an ONNX model's initializers) and what Quarry writes back. Values are float32 whatever the file
/// stored; names are unique.
public struct NamedTensors: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for a shape of \(shape)")
            (self.name, self.shape, self.values) = (name, shape, values)
        }
    }

    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Appends `entry`; throws where its name is taken.
    public mutating func append(_ entry: Entry) throws(WeightsError) {
        guard index[entry.name] == nil else { throw .duplicated(entry.name) }
        index[entry.name] = entries.count
        entries.append(entry)
    }

    public subscript(name: String) -> Entry? { index[name].map { entries[$0] } }

    public var count: Int { entries.count }
    /// Values of every tensor.
    public var parameterCount: Int { entries.reduce(0) { $0 + $1.values.count } }

    public static func == (lhs: NamedTensors, rhs: NamedTensors) -> Bool { lhs.entries == rhs.entries }
}

/// Why a weights file could not be read, or does not fit a model. Each names the problem and, where
/// there is one, the tensor.
public enum WeightsError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not what the format says: truncated, out of range, malformed.
    case malformed(String)
    case unsupported(String)
    case duplicated(String)
    /// A pickle named a global other than the few that build tensors; nothing of it ran.
    case forbiddenGlobal(String)
    case missing(String)
    case unexpected(String)
    case shape(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed weights file: \(reason)"
        case .unsupported(let reason): "unsupported weights file: \(reason)"
        case .duplicated(let name): "tensor \"\(name)\" appears twice"
        case .forbiddenGlobal(let name): "the pickle names \(name), which is not a tensor, a dict or a plain value; it was not run"
        case .missing(let name): "the model's tensor \"\(name)\" is missing from the file"
        case .unexpected(let name): "tensor \"\(name)\" is not part of the model"
        case .shape(let name, let expected, let found): "tensor \"\(name)\" has shape \(found) where the model has \(expected)"
        }
    }
}
