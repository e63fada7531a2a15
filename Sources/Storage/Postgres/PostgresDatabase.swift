import Foundation
import Synchronization

/// A PostgreSQL database shared by several Quarry processes: a pool of connections (`ConnectionPool`), opened as needed,
/// serializable write transactions run again when they lose a conflict, and read transactions on
/// one snapshot.
///
/// Availability: a connection the server dropped reconnects at its next use, so after a server
/// restart the same `PostgresDatabase` works again without being reopened. While the server cannot
/// be reached, `read` and `write` throw `StorageError.unavailable` (after at most the connect
/// timeout); other failures are `PostgresError`s with their SQLSTATE.
///
/// Threading: as `SQLiteDatabase`. `read` and `write` block the calling thread. `write` inside
/// `write` on one thread traps: the inner one would be a second, independent transaction, which
/// commits even if the outer one then rolls back, and which waits forever on a row lock the outer
/// one holds. `read` inside `write` is allowed and sees the data as last committed, not the pending
/// changes; it takes a second connection, so with a pool of one it would wait forever. Do not nest
/// `read` in `read`: with every connection lent out it would wait forever.
public final class PostgresDatabase: Database {
    public var dialect: SQLDialect { .postgres }
    private let pool: ConnectionPool<PostgresConnection>
    /// The threads inside `write`, so that a nested write traps instead of misbehaving.
    private let writers = Mutex<Set<UInt>>([])
    private let retries = Atomic<Int>(0)
    /// For the listeners' connections of their own.
    private let url: String

    /// How many times a write transaction may run in all before its conflict is thrown.
    static let maxAttempts = 20

    /// Write transactions run again after losing a conflict since the database opened; a figure for
    /// monitoring (a steady climb means hot rows) and for tests.
    public var serializationRetries: Int { retries.load(ordering: .relaxed) }

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=…`), applies pending
    /// migrations (`PostgresMigrator`), and keeps up to `connections` connections. Throws
    /// `StorageError.unavailable` when the server cannot be reached within `connectTimeout` seconds,
    /// `StorageError.postgresMigrationFailed` or `StorageError.unknownMigrations` when the schema
    /// cannot be brought to this binary's.
    public init(url: String, migrations: [Migration], connections: Int = 8, connectTimeout: Int = 5) throws {
        self.url = url
        pool = ConnectionPool(size: connections) { try PostgresConnection(url: url, connectTimeout: connectTimeout) }
        do {
            try pool.withConnection { try PostgresMigrator.migrate($0, to: migrations) }
        } catch {
            pool.close()
            throw error
        }
    }

    /// Runs `body` in a serializable transaction. Commits when it returns; rolls back and rethrows
    /// its error when it throws. When PostgreSQL aborts the transaction for a conflict with another
    /// (serialization failure, deadlock), `body` runs again, up to `maxAttempts` times in all.
    ///
    /// A first attempt runs at once, beside any other. A transaction that lost a conflict runs again
    /// holding the deployment's retry lock (`PostgresConnection.holdingRetryLock`), taken before its
    /// snapshot: the writers contending for one hot row (a dataset's image count, say) then take turns
    /// instead of meeting again and again, which under load used up every attempt of a few of them.
    @discardableResult
    public func write<T>(_ body: (any Connection) throws -> T) throws -> T {
        let me = UInt(pthread_self())
        let entered = writers.withLock { $0.insert(me).inserted }
        precondition(entered, "Database.write called inside a write on the same thread; it would be a second transaction")
        defer { _ = writers.withLock { $0.remove(me) } }
        var attempt = 1
        while true {
            do {
                return try pool.withConnection { connection in
                    guard attempt > 1 else { return try connection.inTransaction(.write, body) }
                    return try connection.holdingRetryLock { try connection.inTransaction(.write, body) }
                }
            } catch let error as PostgresError where error.isRetryable && attempt < Self.maxAttempts {
                retries.add(1, ordering: .relaxed)
                usleep(Self.backoff(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Runs `body` in a read-only transaction on one snapshot.
    @discardableResult
    public func read<T>(_ body: (any Connection) throws -> T) throws -> T {
        try pool.withConnection { try $0.inTransaction(.read, body) }
    }

    /// Microseconds to wait before running a transaction again: doubling from about 2 ms to at most
    /// about 100 ms, and jittered so that the two transactions of a conflict do not meet again.
    static func backoff(attempt: Int) -> UInt32 {
        let base = min(1_000 << min(attempt, 7), 100_000)
        return UInt32(Double(base) * Double.random(in: 0.5...1.5))
    }

    /// PostgreSQL keeps its own data consistent (and checksums pages where the cluster was made
    /// with them); what Quarry can usefully check is that the server answers.
    /// Moves every identity column's sequence past the largest value in its column, and past `floors`
    /// (by table: the largest id the source ever gave, deleted rows' included): after rows were inserted
    /// with their ids (a copied deployment), the next row must not be given one of them.
    public func advanceIdentities(past floors: [String: Int64] = [:]) throws {
        try write { db in
            let columns = try db.query("""
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name
                """)
            for column in columns {
                let (table, name) = (try column.string("table_name"), try column.string("column_name"))
                let floor = floors[table] ?? 0
                _ = try db.query("""
                    SELECT setval(pg_get_serial_sequence(CAST(? AS TEXT), CAST(? AS TEXT)),
                                  CASE WHEN COALESCE(MAX("\(name)"), 0) > ? THEN COALESCE(MAX("\(name)"), 0) ELSE ? END + 1, false)
                    FROM "\(table)"
                    """, [table, name, floor, floor])
            }
        }
    }

    public func integrityCheck() throws -> String {
        try read { connection in
            let answer = try connection.scalar("SELECT 1")
            return answer == .integer(1) ? "ok" : "SELECT 1 answered \(answer)"
        }
    }

    /// The database's size on the server: tables, indexes and TOAST, not the server's WAL.
    public func storedBytes() throws -> Int {
        try read { connection in
            guard case .integer(let bytes) = try connection.scalar("SELECT pg_database_size(current_database())") else {
                return 0
            }
            return Int(bytes)
        }
    }

    /// Waits for reads and writes in progress and closes every connection. Calling it again does
    /// nothing; `read` and `write` then throw `StorageError.databaseClosed`. Calling it from inside
    /// `read` or `write` deadlocks.
    public func close() {
        pool.close()
    }
}

extension PostgresDatabase {
    /// `pg_notify` on a pooled connection, outside a transaction, so it is delivered at once; a failure
    /// is ignored, as the listeners poll as well.
    public func notify(_ channel: String) {
        try? pool.withConnection { try $0.notify(channel) }
    }

    public func listen(_ channel: String, heard: @escaping @Sendable () -> Void) throws -> (any DatabaseListener)? {
        try PostgresListener(url: url, channel: channel, heard: heard)
    }
}
