import CPostgres
import Glibc

/// Type OIDs from PostgreSQL's pg_type catalog; they are fixed for built-in types.
enum PostgresType {
    static let bool: Oid = 16
    static let bytea: Oid = 17
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let float4: Oid = 700
    static let float8: Oid = 701
    static let numeric: Oid = 1700
}

/// Statement arguments as libpq's parallel C arrays. Memory is the caller's to `release()` once the
/// statement has run.
struct PostgresParameters {
    private var types: [Oid] = []
    private var values: [UnsafeMutablePointer<CChar>?] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []

    init(_ arguments: [SQLValue], sql: String) throws {
        for argument in arguments {
            switch argument {
            case .null:
                append(nil, type: 0)
            case .integer(let value):
                append(String(value), type: 0)
            case .real(let value):
                // Swift prints the shortest text that reads back as the same Double, and its "inf",
                // "-inf" and "nan" are spellings PostgreSQL's float input accepts.
                append("\(value)", type: 0)
            case .text(let value):
                // libpq takes text as a C string; PostgreSQL text cannot hold NUL in any case.
                guard !value.utf8.contains(0) else {
                    release()
                    throw PostgresError(sqlState: "22021", message: "text argument contains a NUL character", sql: sql)
                }
                append(value, type: 0)
            case .blob(let bytes):
                // Binary format: the bytes as they are, no escaping; malloc(0) may answer NULL, which
                // libpq would take for SQL NULL, hence at least one byte.
                let buffer = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: CChar.self)
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { memcpy(buffer, base, raw.count) }
                }
                types.append(PostgresType.bytea)
                values.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
    }

    private mutating func append(_ text: String?, type: Oid) {
        types.append(type)
        values.append(text.map { strdup($0) })
        lengths.append(0)
        formats.append(0)
    }

    func withArrays<T>(_ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?,
                                UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T) -> T {
        let constValues = values.map { UnsafePointer($0) }
        return types.withUnsafeBufferPointer { types in
            constValues.withUnsafeBufferPointer { values in
                lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in
                        body(Int32(values.count), types.baseAddress, values.baseAddress, lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
    }

    func release() {
        values.forEach { free($0) }
    }
}

/// Result rows decoded into SQLite's five storage classes, by each column's type.
enum PostgresValues {
    static func rows(_ result: OpaquePointer, limit: Int?) -> [Row] {
        let count = min(Int(PQntuples(result)), limit ?? .max)
        let width = PQnfields(result)
        let columns = ColumnNames((0..<width).map { String(cString: PQfname(result, $0)) })
        let types = (0..<width).map { PQftype(result, $0) }
        var rows = [Row]()
        rows.reserveCapacity(count)
        for row in 0..<Int32(count) {
            var values = [SQLValue]()
            values.reserveCapacity(Int(width))
            for column in 0..<width {
                values.append(value(result, row: row, column: column, type: types[Int(column)]))
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    private static func value(_ result: OpaquePointer, row: Int32, column: Int32, type: Oid) -> SQLValue {
        guard PQgetisnull(result, row, column) == 0, let text = PQgetvalue(result, row, column) else { return .null }
        if type == PostgresType.bytea { return .blob(unescapeBytea(text)) }
        let length = Int(PQgetlength(result, row, column))
        let string = text.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        return decode(string, type: type)
    }

    /// A column's text output as SQLite would have stored the value: booleans as 0 and 1, every
    /// integer type as integer, floats as real. Text that fails to parse (never, for these types)
    /// stays text rather than being lost.
    static func decode(_ text: String, type: Oid) -> SQLValue {
        switch type {
        case PostgresType.bool:
            return .integer(text == "t" ? 1 : 0)
        case PostgresType.int2, PostgresType.int4, PostgresType.int8:
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        case PostgresType.float4, PostgresType.float8:
            return Double(text).map(SQLValue.real) ?? .text(text)
        case PostgresType.numeric:
            return numeric(text)
        default:
            return .text(text)
        }
    }

    /// numeric is what SUM of bigints and arithmetic on literals answer. Integral values (fraction
    /// all zeros, such as "12" or "12.00") that fit 64 bits are integers, as SQLite's SUM answers;
    /// anything else is real.
    static func numeric(_ text: String) -> SQLValue {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 1 || parts[1].allSatisfy({ $0 == "0" }), let integer = Int64(parts[0]) {
            return .integer(integer)
        }
        return Double(text).map(SQLValue.real) ?? .text(text)
    }

    /// bytea's text output, in the hex format (`\x…`, the default since 9.0) or the older escape
    /// format: libpq's own decoder reads both.
    private static func unescapeBytea(_ text: UnsafeMutablePointer<CChar>) -> [UInt8] {
        var length = 0
        // NULL only when it cannot allocate.
        guard let bytes = text.withMemoryRebound(to: UInt8.self, capacity: 1, { PQunescapeBytea($0, &length) }) else {
            preconditionFailure("out of memory decoding a bytea value")
        }
        defer { PQfreemem(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}
