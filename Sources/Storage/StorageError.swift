import Glibc

public enum StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A typed `Row` getter met NULL, or a value of another storage class.
    case typeMismatch(column: String)
    case blobNotFound(BlobID)
    /// A remote store answered bytes for the blob that hash to something else; they were not used.
    case blobCorrupt(BlobID, hashedTo: String)
    /// The migration was rolled back whole and not recorded; the database is as it was before it.
    case migrationFailed(version: Int, name: String, error: SQLiteError)
    /// The same on PostgreSQL: the migration's transaction was rolled back, nothing of it is left.
    case postgresMigrationFailed(version: Int, name: String, error: PostgresError)
    /// The database records migrations this binary does not have, so a newer Quarry has used it.
    /// Running older code against a newer schema could corrupt it, so it is refused.
    case unknownMigrations(versions: [Int])
    case databaseClosed
    /// `BlobStore.adopt(temporaryFile:)` only renames files from its own temporary directory,
    /// which is what guarantees the rename stays on one filesystem.
    case notInTemporaryDirectory(path: String)
    case io(operation: String, path: String, errno: Int32)
    case backupFailed(String)
    /// The database server cannot be reached or dropped the connection (PostgreSQL restarting, the
    /// network down). Trying again later may succeed, so the API answers 503. The transaction was
    /// not committed, unless the connection broke during its COMMIT: then it may have been.
    case unavailable(String)

    public var description: String {
        switch self {
        case .typeMismatch(let column):
            "column \"\(column)\" is NULL or not of the requested type"
        case .blobNotFound(let id):
            "blob \(id) not found"
        case .blobCorrupt(let id, let found):
            "blob \(id) as the store answered it hashes to \(found); not used"
        case .migrationFailed(let version, let name, let error):
            "migration \(version) \"\(name)\" failed and was rolled back: \(error)"
        case .postgresMigrationFailed(let version, let name, let error):
            "migration \(version) \"\(name)\" failed on PostgreSQL and was rolled back: \(error)"
        case .unknownMigrations(let versions):
            "database has migrations \(versions) unknown to this binary (written by a newer Quarry?); refusing to open it"
        case .databaseClosed:
            "database is closed"
        case .notInTemporaryDirectory(let path):
            "\(path) is not in the blob store's temporary directory"
        case .io(let operation, let path, let code):
            "\(operation) \(path): \(String(cString: strerror(code)))"
        case .backupFailed(let reason):
            "backup failed: \(reason)"
        case .unavailable(let reason):
            "database unavailable: \(reason)"
        }
    }
}
