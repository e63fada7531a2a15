/// One numbered schema change. Migrations are append-only: once released, a migration's SQL never
/// changes and its number is never reused; a correction is a new migration.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// A script run inside the migration's own transaction, so it must not BEGIN or COMMIT. Foreign
    /// keys are not enforced while it runs but are checked before it commits (see `Migrator`).
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
