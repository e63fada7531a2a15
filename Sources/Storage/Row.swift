/// One result row. Values are read by column name (as SQLite reports it: use `AS` to name
/// expressions) or by position.
///
/// Asking for a column the query did not select is a programmer error and traps, rather than
/// answering `.null` and letting a typo read as a missing value.
public struct Row: Sendable {
    let columns: ColumnNames
    let values: [SQLValue]

    public var columnNames: [String] { columns.names }
    public var count: Int { values.count }

    public subscript(_ index: Int) -> SQLValue {
        precondition(values.indices.contains(index), "column index \(index) out of range; row has \(values.count)")
        return values[index]
    }

    public subscript(_ column: String) -> SQLValue {
        guard let index = columns.positions[column] else {
            preconditionFailure("no column \"\(column)\" in row; columns are \(columns.names)")
        }
        return values[index]
    }

    public func int(_ column: String) throws -> Int { try required(column, Self.int) }
    public func optionalInt(_ column: String) throws -> Int? { try optional(column, Self.int) }

    public func int64(_ column: String) throws -> Int64 { try required(column, Self.int64) }
    public func optionalInt64(_ column: String) throws -> Int64? { try optional(column, Self.int64) }

    /// Integers are accepted too: SQLite returns them for whole-valued expressions such as `SUM`.
    public func double(_ column: String) throws -> Double { try required(column, Self.double) }
    public func optionalDouble(_ column: String) throws -> Double? { try optional(column, Self.double) }

    public func string(_ column: String) throws -> String { try required(column, Self.string) }
    public func optionalString(_ column: String) throws -> String? { try optional(column, Self.string) }

    /// Any integer other than 0 is true, as in SQLite's own expressions.
    public func bool(_ column: String) throws -> Bool { try required(column, Self.bool) }
    public func optionalBool(_ column: String) throws -> Bool? { try optional(column, Self.bool) }

    /// A text column holding one of an enum's raw values; any other text is a type mismatch.
    public func choice<Value: RawRepresentable>(_ column: String) throws -> Value where Value.RawValue == String {
        try required(column) { Self.string($0).flatMap(Value.init) }
    }

    public func blob(_ column: String) throws -> [UInt8] { try required(column, Self.blob) }
    public func optionalBlob(_ column: String) throws -> [UInt8]? { try optional(column, Self.blob) }

    private func required<T>(_ column: String, _ convert: (SQLValue) -> T?) throws -> T {
        guard let value = convert(self[column]) else { throw StorageError.typeMismatch(column: column) }
        return value
    }

    private func optional<T>(_ column: String, _ convert: (SQLValue) -> T?) throws -> T? {
        let value = self[column]
        if value == .null { return nil }
        guard let converted = convert(value) else { throw StorageError.typeMismatch(column: column) }
        return converted
    }

    private static func int(_ value: SQLValue) -> Int? {
        if case .integer(let v) = value { Int(exactly: v) } else { nil }
    }

    private static func int64(_ value: SQLValue) -> Int64? {
        if case .integer(let v) = value { v } else { nil }
    }

    private static func double(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }

    private static func string(_ value: SQLValue) -> String? {
        if case .text(let v) = value { v } else { nil }
    }

    private static func bool(_ value: SQLValue) -> Bool? {
        if case .integer(let v) = value { v != 0 } else { nil }
    }

    private static func blob(_ value: SQLValue) -> [UInt8]? {
        if case .blob(let v) = value { v } else { nil }
    }
}

/// Column names of one statement execution, shared by all of its rows.
final class ColumnNames: Sendable {
    let names: [String]
    /// When a join selects two columns of the same name, the first wins; alias one to read the other.
    let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var positions = [String: Int]()
        for (index, name) in names.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
    }
}
