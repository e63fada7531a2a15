import CSQLite

/// A failed SQLite call: its primary and extended result codes, SQLite's message, and the SQL that
/// was running (nil for calls that run none, such as opening a file).
///
/// Related SQLite documentation: <https://www.sqlite.org/rescode.html>
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Int32
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, extendedCode: Int32, message: String, sql: String?) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// A primary key collision counts: to a caller it is the same "already exists".
    public var isUniqueConstraintViolation: Bool {
        extendedCode == ExtendedCode.constraintUnique || extendedCode == ExtendedCode.constraintPrimaryKey
    }

    public var isForeignKeyViolation: Bool { extendedCode == ExtendedCode.constraintForeignKey }

    public var isBusy: Bool { code == SQLITE_BUSY }

    public var description: String {
        let head = "SQLite error \(code) (extended \(extendedCode)): \(message)"
        guard let sql else { return head }
        return "\(head), in: \(sql)"
    }

    /// The error of the most recent failed call on `db`; extended result codes are enabled on
    /// every Quarry connection, so `sqlite3_errcode` already answers the extended code.
    init(db: OpaquePointer, sql: String?) {
        let extended = sqlite3_extended_errcode(db)
        self.init(code: extended & 0xff, extendedCode: extended, message: String(cString: sqlite3_errmsg(db)), sql: sql)
    }

    /// An error Quarry raises itself, for misuse SQLite would not catch, such as a missing argument.
    init(code: Int32, message: String, sql: String?) {
        self.init(code: code & 0xff, extendedCode: code, message: message, sql: sql)
    }
}

/// sqlite3.h defines extended codes as expressions such as `(SQLITE_CONSTRAINT | (8<<8))`, which
/// Swift does not import; these are the ones Quarry tests for, built the same way.
enum ExtendedCode {
    static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
}
