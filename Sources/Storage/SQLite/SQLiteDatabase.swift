import CSQLite
import Glibc

/// A SQLite database in WAL mode: one writer connection behind a lock, and a pool of read-only
/// connections that read concurrently with it and with each other.
///
/// Durability: `synchronous = FULL`. Every commit fsyncs the WAL, so once `write` returns, the
/// change survives power loss; an API that answers 2xx for a stored thing must not lose it. NORMAL
/// would skip that fsync and could lose the last commits on power loss (never corrupt the file),
/// for faster writes; Quarry's writes are few and small, so it pays the fsync.
///
/// Checkpoints: SQLite's automatic PASSIVE checkpoint, run by the committing writer once the WAL
/// passes 1000 pages, is kept. It never waits for readers, so a long read only delays it.
/// `checkpoint()` is the TRUNCATE checkpoint for shutdown (and `close()` runs it), leaving the
/// database in one file for backups.
///
/// Threading: `read` and `write` block the calling thread (call them from worker threads, not an
/// event loop). Calling `write` inside `write` on the same thread traps: the lock is not reentrant
/// and the thread would wait for itself. `read` inside `read` takes a second connection and a
/// second snapshot, and with every connection lent out it would wait forever; do not nest them.
/// `read` inside `write` is allowed and sees the data as last committed, not the pending changes.
public final class SQLiteDatabase: Database {
    public var dialect: SQLDialect { .sqlite }
    public let path: String
    private let writer: Writer
    let readers: ConnectionPool<SQLiteConnection>

    /// Opens (creating if needed) the database at `path`, applies pending migrations, then opens
    /// `readers` read-only connections. Throws `StorageError.migrationFailed` or
    /// `StorageError.unknownMigrations` when the schema cannot be brought to this binary's.
    /// `pageSize` (a power of two from 512 to 65536) is used when the file is created, and ignored after.
    public init(path: String, migrations: [Migration], readers: Int = 4, pageSize: Int? = nil) throws {
        // NOMUTEX connections rely on SQLite having been built thread-safe at all.
        precondition(sqlite3_threadsafe() != 0, "SQLite was built without thread support")
        precondition(readers > 0, "a database needs at least one reader connection")
        self.path = path
        let writerConnection = try SQLiteConnection(path: path, role: .writer, pageSize: pageSize)
        try SQLiteMigrator.migrate(writerConnection, to: migrations)
        writer = Writer(writerConnection)
        // Readers open after the writer: a read-only connection cannot create the file or the WAL.
        self.readers = ConnectionPool(try (0..<readers).map { _ in try SQLiteConnection(path: path, role: .reader) })
    }

    /// Runs `body` in a BEGIN IMMEDIATE transaction on the writer, one caller at a time. Commits
    /// when it returns; rolls back and rethrows its error when it throws.
    @discardableResult
    public func write<T>(_ body: (any Connection) throws -> T) throws -> T {
        try writer.withConnection { try $0.inTransaction(.immediate, body) }
    }

    /// Runs `body` in a read transaction on a pooled read-only connection, so all its queries see
    /// one snapshot. Blocks while every reader is lent out.
    @discardableResult
    public func read<T>(_ body: (any Connection) throws -> T) throws -> T {
        try readers.withConnection { try $0.inTransaction(.deferred, body) }
    }

    /// TRUNCATE checkpoint on the writer; see the type's documentation.
    public func checkpoint() throws {
        try writer.withConnection { try $0.checkpointTruncate() }
    }

    /// "ok" when healthy, otherwise SQLite's findings, one per line.
    public func integrityCheck() throws -> String {
        try read { connection in
            try connection.query("PRAGMA integrity_check").map { try $0.string("integrity_check") }
                .joined(separator: "\n")
        }
    }

    /// The database file with its WAL and shared-memory files.
    public func storedBytes() throws -> Int {
        ["", "-wal", "-shm"].reduce(0) { total, suffix in
            var info = stat()
            return total + (stat(path + suffix, &info) == 0 ? Int(info.st_size) : 0)
        }
    }

    /// Waits for reads and the write in progress, checkpoints, and closes every connection. Calling
    /// it again does nothing; `read`, `write` and `checkpoint` then throw `StorageError.databaseClosed`.
    /// Calling it from inside `read` or `write` deadlocks.
    public func close() {
        readers.close()
        writer.close()
    }
}
