/// Header fields as an ordered list of name-value pairs, not a dictionary: order and repeats
/// matter (duplicate Content-Length is a smuggling signal). Names compare case-insensitively.
public struct HTTPFields: Sendable, Sequence {
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
        /// Lowercased once so lookups never re-fold case.
        public let canonicalName: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
            self.canonicalName = name.lowercased()
        }
    }

    private var fields: [Field] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// For the request parser, which makes each lowercase name from bytes rather than folding a String.
    init(fields: [Field]) {
        self.fields = fields
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value for `name`, or nil.
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return fields.first { $0.canonicalName == key }?.value
    }

    public func values(_ name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.canonicalName == key }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field called `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        append(name, value)
    }

    public mutating func remove(_ name: String) {
        let key = name.lowercased()
        fields.removeAll { $0.canonicalName == key }
    }
}
