/// Brings a PostgreSQL database up to this binary's migrations when it opens. Each pending migration
/// runs in its own transaction together with its `schema_migrations` row (PostgreSQL's DDL is
/// transactional), so it is applied and recorded together or not at all.
///
/// Several processes may start at once against one database: every transaction here first takes a
/// transaction-scoped advisory lock, so they migrate one at a time, and each then reads what the
/// others recorded before it looks for work, so each migration is applied exactly once.
enum PostgresMigrator {
    /// The advisory lock's key, fixed so that every Quarry process takes the same one: "QuarryMg".
    static let lockKey: Int64 = 0x5175_6172_7279_4D67

    static func migrate(_ connection: PostgresConnection, to migrations: [Migration]) throws {
        for (previous, next) in zip(migrations, migrations.dropFirst()) {
            precondition(previous.version < next.version,
                         "migration versions must be unique and increasing: \(previous.version) then \(next.version)")
        }
        // One migration per transaction, and the lock taken again for each, so that one process's
        // long migration never holds a transaction open over the next.
        while try applyNext(of: migrations, on: connection) {}
    }

    /// Applies the first migration not yet recorded; false when there was none.
    private static func applyNext(of migrations: [Migration], on connection: PostgresConnection) throws -> Bool {
        try connection.inTransaction(.readCommitted) { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
            // Under the lock, so two processes creating it at once do not collide in the catalog.
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """)
            let applied = try Set(connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
            let unknown = applied.subtracting(migrations.map(\.version)).sorted()
            guard unknown.isEmpty else { throw StorageError.unknownMigrations(versions: unknown) }
            guard let migration = migrations.first(where: { !applied.contains($0.version) }) else { return false }
            try apply(migration, on: connection)
            return true
        }
    }

    private static func apply(_ migration: Migration, on connection: PostgresConnection) throws {
        do {
            try connection.execute(migration.postgres ?? PostgresSchema.translate(migration.sql))
            try connection.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                               [migration.version, migration.name, Timestamp.now()])
        } catch let error as PostgresError {
            throw StorageError.postgresMigrationFailed(version: migration.version, name: migration.name, error: error)
        }
    }
}
