import CSQLite

/// One prepared statement. Owned by a connection's cache and used by that connection only;
/// `SQLiteConnection` resets it after every use so no bindings or half-read results leak into the next.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private let db: OpaquePointer

    /// Prepares exactly one statement: text left over after it would otherwise be silently ignored,
    /// so a second statement is refused and scripts go through `SQLiteConnection.execute`.
    init(db: OpaquePointer, sql: String) throws {
        self.db = db
        self.sql = sql
        var statement: OpaquePointer?
        var remainder = ""
        let flags = UInt32(SQLITE_PREPARE_PERSISTENT)
        let rc = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, text, -1, flags, &statement, &tail)
            if let tail { remainder = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK else { throw SQLiteError(db: db, sql: sql) }
        guard let statement else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "no statement in SQL text", sql: sql)
        }
        if Self.holdsAnotherStatement(db: db, remainder) {
            sqlite3_finalize(statement)
            throw SQLiteError(code: SQLITE_MISUSE, message: "more than one statement; use execute for scripts", sql: sql)
        }
        handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    /// A trailing semicolon or comment is fine; anything SQLite would compile (or fail to) is not.
    private static func holdsAnotherStatement(db: OpaquePointer, _ remainder: String) -> Bool {
        guard remainder.contains(where: { !$0.isWhitespace && $0 != ";" }) else { return false }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, remainder, -1, &statement, nil)
        sqlite3_finalize(statement)
        return rc != SQLITE_OK || statement != nil
    }

    func bind(_ arguments: [any SQLConvertible]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw SQLiteError(code: SQLITE_RANGE, message: "expected \(expected) arguments, got \(arguments.count)", sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            let rc = bind(argument.sqlValue, at: Int32(offset + 1))
            guard rc == SQLITE_OK else { throw SQLiteError(db: db, sql: sql) }
        }
    }

    private func bind(_ value: SQLValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let v):
            return sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            return sqlite3_bind_double(handle, index, v)
        case .text(let v):
            var text = v
            return text.withUTF8 { utf8 in
                // A nil pointer would bind NULL, and an empty string's buffer may have none.
                guard let base = utf8.baseAddress, !utf8.isEmpty else {
                    return sqlite3_bind_text(handle, index, "", 0, quarry_sqlite3_transient())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text64(handle, index, $0, UInt64(utf8.count), quarry_sqlite3_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let v):
            // Same reason: an empty array must stay an empty blob, not become NULL.
            guard !v.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return v.withUnsafeBytes {
                sqlite3_bind_blob64(handle, index, $0.baseAddress, UInt64($0.count), quarry_sqlite3_transient())
            }
        }
    }

    /// True when a row is ready, false when the statement has finished.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(db: db, sql: sql)
        }
    }

    /// Read per execution, not cached: SQLite re-prepares after a schema change, and `SELECT *`
    /// may then name different columns.
    func columnNames() throws -> ColumnNames {
        let count = sqlite3_column_count(handle)
        var names = [String]()
        names.reserveCapacity(Int(count))
        for index in 0..<count {
            guard let name = sqlite3_column_name(handle, index) else { throw outOfMemory() }
            names.append(String(cString: name))
        }
        return ColumnNames(names)
    }

    func row(_ columns: ColumnNames) throws -> Row {
        var values = [SQLValue]()
        values.reserveCapacity(columns.names.count)
        for index in 0..<Int32(columns.names.count) {
            values.append(try value(at: index))
        }
        return Row(columns: columns, values: values)
    }

    private func value(at index: Int32) throws -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // The pointer must be fetched before the length: asking for the text may convert it.
            guard let text = sqlite3_column_text(handle, index) else { throw outOfMemory() }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0 else { return .blob([]) }
            guard let bytes else { throw outOfMemory() }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    /// SQLite answers nil from the column accessors only when it cannot allocate.
    private func outOfMemory() -> SQLiteError {
        SQLiteError(code: SQLITE_NOMEM, message: "out of memory reading a column", sql: sql)
    }

    /// `sqlite3_reset` repeats the last step's error, which was already thrown, so its result is not checked.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}
