/// One SQLite value, in the five storage classes SQLite itself has.
///
/// Related SQLite documentation: <https://www.sqlite.org/datatype3.html>
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension SQLValue: ExpressibleByBooleanLiteral {
    /// SQLite has no boolean class; it stores 1 and 0, which is what its own comparisons return.
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
