/// The query string as ordered name-value pairs, decoded as `application/x-www-form-urlencoded`.
/// A pair whose escapes are malformed is dropped rather than failing the request: a query is advisory
/// input, and each handler validates the parameters it reads.
public struct QueryParameters: Sendable, Sequence {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init(rawQuery: String) {
        guard !rawQuery.isEmpty else { return }
        for piece in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = piece.firstIndex(of: "=") {
                name = piece[..<equals]
                value = piece[piece.index(after: equals)...]
            } else {
                name = piece
                value = ""
            }
            guard let decodedName = PercentDecoding.decode(name, plusAsSpace: true),
                  let decodedValue = PercentDecoding.decode(value, plusAsSpace: true) else { continue }
            pairs.append((decodedName, decodedValue))
        }
    }

    /// The first value for `name`.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }
}
