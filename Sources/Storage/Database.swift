/// A transactional SQL database: SQLite in the data directory (`SQLiteDatabase`, the embedded
/// default) or PostgreSQL shared by several processes (`PostgresDatabase`). Quarry's stores write
/// their SQL once, in the subset both accept (`SQLDialect` says what that is), and run it through
/// `read` and `write`.
///
/// `read` and `write` block the calling thread; call them from worker threads, never an event loop,
/// and do not nest them: a `write` inside a `write` on one thread traps.
public protocol Database: AnyObject, Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in a write transaction: committed when it returns, rolled back and rethrown when
    /// it throws. Where the database may abort a transaction for a conflict with another (PostgreSQL's
    /// serialization failures), `body` runs again, so it must do nothing but database work that a
    /// rollback undoes.
    @discardableResult
    func write<T>(_ body: (any Connection) throws -> T) throws -> T

    /// Runs `body` in a read-only transaction that sees one snapshot.
    @discardableResult
    func read<T>(_ body: (any Connection) throws -> T) throws -> T

    /// "ok" when the database is healthy, otherwise its findings, one per line.
    func integrityCheck() throws -> String

    /// The room the database takes, in bytes.
    func storedBytes() throws -> Int

    /// Waits for the work in progress and closes every connection; later calls throw
    /// `StorageError.databaseClosed`.
    func close()

    /// Wakes the processes listening on `channel` (PostgreSQL's NOTIFY), now, outside any transaction.
    /// A hint only: it carries nothing, may be lost, and listeners poll as well. Nothing where one
    /// process uses the database.
    func notify(_ channel: String)

    /// Calls `heard`, on a thread of the listener's, when some process notifies `channel`; nil where the
    /// database has no such hints (SQLite).
    func listen(_ channel: String, heard: @escaping @Sendable () -> Void) throws -> (any DatabaseListener)?
}

extension Database {
    public func notify(_ channel: String) {}

    public func listen(_ channel: String, heard: @escaping @Sendable () -> Void) throws -> (any DatabaseListener)? { nil }
}

/// A `Database.listen` going on; `stop` waits for it to end.
public protocol DatabaseListener: AnyObject, Sendable {
    func stop()
}

/// One connection, reached only inside `Database.read` and `Database.write`, and never kept past
/// them: the database lends each connection to one thread at a time. Statements take `?` placeholders.
public protocol Connection: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs a script of statements without arguments; rows are discarded.
    func execute(_ sql: String) throws

    /// Runs one statement to completion and answers the rows it inserted, updated or deleted.
    @discardableResult
    func run(_ sql: String, _ arguments: [any SQLConvertible]) throws -> Int

    func query(_ sql: String, _ arguments: [any SQLConvertible]) throws -> [Row]

    /// The first row, or nil; a backend may stop computing rows after it.
    func queryOne(_ sql: String, _ arguments: [any SQLConvertible]) throws -> Row?
}

extension Connection {
    @discardableResult
    public func run(_ sql: String) throws -> Int { try run(sql, []) }

    public func query(_ sql: String) throws -> [Row] { try query(sql, []) }

    public func queryOne(_ sql: String) throws -> Row? { try queryOne(sql, []) }

    /// The first column of the first row, or `.null` when there is no row.
    public func scalar(_ sql: String, _ arguments: [any SQLConvertible] = []) throws -> SQLValue {
        try queryOne(sql, arguments).map { $0[0] } ?? .null
    }
}

/// The two SQL dialects Quarry speaks. Statements outside `Storage` use the subset both accept:
/// `?` placeholders, `ON CONFLICT … DO UPDATE` upserts, `RETURNING`, standard aggregates; where the
/// two differ, the difference is a property here rather than an `if` at the call site.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}
