import CSQLite

/// One SQLite connection, reached only inside `SQLiteDatabase.read` and `write`.
///
/// Not `Sendable`, and it must not escape those closures: the database hands each connection to
/// one thread at a time, and that is the only guard it has (it is opened without SQLite's mutex).
public final class SQLiteConnection: Connection {
    enum Role {
        case writer
        case reader
    }

    public var dialect: SQLDialect { .sqlite }
    let handle: OpaquePointer
    private var statements = StatementCache(capacity: 64)
    private var isClosed = false

    /// `pageSize` applies only when the writer creates the file: SQLite cannot change the page size of
    /// a database in WAL mode, so an existing file keeps the one it was made with.
    init(path: String, role: Role, pageSize: Int? = nil) throws {
        // NOMUTEX because the writer lock and the reader pool already keep each connection on one
        // thread at a time; SQLite's own per-connection mutex would only add cost. Only the writer
        // may create the file: a reader finding none means the path is wrong.
        var flags = SQLITE_OPEN_NOMUTEX
        switch role {
        case .writer: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .reader: flags |= SQLITE_OPEN_READONLY
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = db.map { SQLiteError(db: $0, sql: nil) }
                ?? SQLiteError(code: rc, message: String(cString: sqlite3_errstr(rc)), sql: nil)
            sqlite3_close_v2(db)
            throw error
        }
        handle = db
        do {
            guard sqlite3_extended_result_codes(db, 1) == SQLITE_OK else { throw SQLiteError(db: db, sql: nil) }
            try configure(role, pageSize: pageSize)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// The pragmas, in an order that matters.
    private func configure(_ role: Role, pageSize: Int?) throws {
        // First, so that every later step, the switch to WAL included, waits for a lock held by
        // another process (a backup, a second server started by mistake) instead of failing at once.
        try execute("PRAGMA busy_timeout = 5000")
        if role == .writer {
            // Before WAL: the page size of a new file is fixed by the first write, which the switch to WAL is.
            if let pageSize { try execute("PRAGMA page_size = \(pageSize)") }
            // WAL lets readers keep their snapshot while the writer commits. The mode is stored in
            // the file, so readers inherit it. SQLite answers the mode actually in force and keeps
            // the old one silently where WAL is impossible, hence the check.
            let mode = try scalar("PRAGMA journal_mode = WAL")
            guard mode == .text("wal") else {
                throw SQLiteError(code: SQLITE_ERROR, message: "cannot use WAL; journal mode is \(mode)",
                                  sql: "PRAGMA journal_mode = WAL")
            }
        }
        // Why FULL rather than NORMAL: see `Database`.
        try execute("PRAGMA synchronous = FULL")
        try execute("PRAGMA foreign_keys = ON")
        if role == .reader {
            // Read-only opening already refuses writes to the file; this also refuses statements
            // that would change the connection's schema view, such as CREATE TEMP TABLE.
            try execute("PRAGMA query_only = ON")
        }
    }

    /// Runs a script of any number of statements, without arguments; rows are discarded.
    public func execute(_ sql: String) throws {
        try checkOpen()
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw SQLiteError(db: handle, sql: sql) }
    }

    /// Runs one statement to completion and answers the rows it inserted, updated or deleted
    /// (for other statements, the count of the last one that did).
    @discardableResult
    public func run(_ sql: String, _ arguments: [any SQLConvertible]) throws -> Int {
        try withStatement(sql, arguments) { statement in
            while try statement.step() {}
            return Int(sqlite3_changes64(handle))
        }
    }

    public func query(_ sql: String, _ arguments: [any SQLConvertible]) throws -> [Row] {
        try withStatement(sql, arguments) { statement in
            let columns = try statement.columnNames()
            var rows = [Row]()
            while try statement.step() {
                rows.append(try statement.row(columns))
            }
            return rows
        }
    }

    /// The first row, or nil; later rows are not computed.
    public func queryOne(_ sql: String, _ arguments: [any SQLConvertible]) throws -> Row? {
        try withStatement(sql, arguments) { statement in
            guard try statement.step() else { return nil }
            return try statement.row(statement.columnNames())
        }
    }


    var cachedStatementCount: Int { statements.count }

    /// Every statement goes through the cache, so each SQL text is compiled once per connection.
    private func withStatement<T>(_ sql: String, _ arguments: [any SQLConvertible],
                                  _ body: (Statement) throws -> T) throws -> T {
        try checkOpen()
        let statement = try statements.statement(for: sql) { try Statement(db: handle, sql: sql) }
        defer { statement.reset() }
        try statement.bind(arguments)
        return try body(statement)
    }

    /// A connection kept past its closure would otherwise reach a freed handle.
    func checkOpen() throws {
        if isClosed { throw StorageError.databaseClosed }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        statements.removeAll()
        // close_v2 cannot fail on statements still open; there are none, as the cache finalized them.
        sqlite3_close_v2(handle)
    }
}

@available(*, unavailable, message: "a connection belongs to one SQLiteDatabase.read or write closure")
extension SQLiteConnection: Sendable {}
extension SQLiteConnection: PooledConnection {}
