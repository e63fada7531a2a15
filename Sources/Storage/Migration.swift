/// One numbered schema change. Migrations are append-only: once released, a migration's SQL never
/// changes and its number is never reused; a correction is a new migration.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// A script run inside the migration's own transaction, so it must not BEGIN or COMMIT. On SQLite,
    /// foreign keys are not enforced while it runs but are checked before it commits (`SQLiteMigrator`).
    public let sql: String
    /// The same change for PostgreSQL where `sql`, translated (`PostgresSchema`), would not do; nil
    /// where the translation does.
    public let postgres: String?

    public init(version: Int, name: String, sql: String, postgres: String? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.postgres = postgres
    }
}
