import CSQLite

/// Brings a database up to this binary's migrations when it opens. Each pending migration runs in
/// its own BEGIN IMMEDIATE transaction together with its `schema_migrations` row, so it is applied
/// and recorded together or not at all.
enum SQLiteMigrator {
    static func migrate(_ connection: SQLiteConnection, to migrations: [Migration]) throws {
        for (previous, next) in zip(migrations, migrations.dropFirst()) {
            precondition(previous.version < next.version,
                         "migration versions must be unique and increasing: \(previous.version) then \(next.version)")
        }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        let applied = try Set(connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
        let unknown = applied.subtracting(migrations.map(\.version)).sorted()
        guard unknown.isEmpty else { throw StorageError.unknownMigrations(versions: unknown) }

        let pending = migrations.filter { !applied.contains($0.version) }
        guard !pending.isEmpty else { return }
        // SQLite's procedure for schema changes (https://www.sqlite.org/lang_altertable.html#otheralter):
        // enforcement off, then foreign_key_check before commit. With enforcement on, rebuilding a
        // referenced table would cascade its DROP into the rows that reference it. The pragma is a
        // no-op inside a transaction, hence around them. It is not restored when a migration fails:
        // the database then refuses to open and this connection is closed.
        try connection.execute("PRAGMA foreign_keys = OFF")
        for migration in pending {
            try apply(migration, on: connection)
        }
        try connection.execute("PRAGMA foreign_keys = ON")
    }

    private static func apply(_ migration: Migration, on connection: SQLiteConnection) throws {
        do {
            try connection.inTransaction(.immediate) { connection in
                try connection.execute(migration.sql)
                try checkForeignKeys(connection, after: migration)
                try connection.run("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    """, [migration.version, migration.name])
            }
        } catch let error as SQLiteError {
            throw StorageError.migrationFailed(version: migration.version, name: migration.name, error: error)
        }
    }

    private static func checkForeignKeys(_ connection: SQLiteConnection, after migration: Migration) throws {
        let violations = try connection.query("PRAGMA foreign_key_check")
        guard let first = violations.first else { return }
        let table = try first.string("table")
        let parent = try first.string("parent")
        throw SQLiteError(code: ExtendedCode.constraintForeignKey,
                          message: "\(violations.count) foreign key violation(s), first in \(table) referencing \(parent)",
                          sql: migration.sql)
    }
}
