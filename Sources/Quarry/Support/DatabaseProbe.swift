import Storage
import Synchronization

/// Whether the database can be read and written, found by doing both: a read of a table, then a write
/// in a transaction that is rolled back, so nothing durable changes. The write takes the write lock
/// (waiting up to SQLite's busy timeout, 5 s, for another writer or process) and changes a page in
/// the cache: a closed, read-only, locked or unreadable database fails it.
///
/// A probe that passed answers for `lifetime`: health checks are polled, often by several monitors,
/// and each probe holds the write lock for a moment. A failure is never reused, so until the database
/// recovers every check probes again.
final class DatabaseProbe: Sendable {
    static let lifetime: Duration = .milliseconds(500)

    private let database: any Database
    private let lifetime: Duration
    private let passed = Mutex<ContinuousClock.Instant?>(nil)

    init(database: any Database, lifetime: Duration = DatabaseProbe.lifetime) {
        self.database = database
        self.lifetime = lifetime
    }

    /// True when a probe passed within the lifetime, so that `check` reads nothing.
    var passedRecently: Bool {
        passed.withLock { instant in instant.map { .now - $0 < lifetime } ?? false }
    }

    func check() -> Bool {
        if passedRecently { return true }
        let started = ContinuousClock.now
        do {
            try probe()
            passed.withLock { $0 = started }
            return true
        } catch {
            passed.withLock { $0 = nil }
            return false
        }
    }

    /// Forgets a passing probe: the database is known to be gone (closed), so no answer may be reused.
    func forget() {
        passed.withLock { $0 = nil }
    }

    private struct RolledBack: Error {}

    private func probe() throws {
        _ = try database.read { db in try db.scalar("SELECT COUNT(*) FROM schema_migrations") }
        do {
            try database.write { db in
                // Rewrites the newest migration's row as it is; throwing then rolls the transaction back.
                _ = try db.run("UPDATE schema_migrations SET name = name WHERE version = (SELECT MAX(version) FROM schema_migrations)")
                throw RolledBack()
            }
        } catch is RolledBack {}
    }
}
