import Foundation
import Storage

/// The `exports` table: one archive per account and content fingerprint, reused while its blob lasts.
enum ExportStore {
    /// Records `archive` as the account's archive of `fingerprint`, replacing an earlier one.
    static func save(_ archive: ExportArchive, accountID: String, fingerprint: String, on db: any Connection) throws {
        try db.run("""
            INSERT INTO exports (id, account_id, fingerprint, blob, file_name, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id, fingerprint) DO UPDATE SET id = excluded.id, blob = excluded.blob,
                file_name = excluded.file_name, size = excluded.size, created_at = excluded.created_at
            """, [archive.id, accountID, fingerprint, archive.blob.hex, archive.fileName, archive.size, Timestamp.now()])
    }

    static func find(id: String, on db: any Connection) throws -> ExportArchive? {
        try db.queryOne("SELECT id, blob, file_name, size FROM exports WHERE id = ?", [id]).flatMap(archive)
    }

    static func find(accountID: String, fingerprint: String, on db: any Connection) throws -> ExportArchive? {
        try db.queryOne("SELECT id, blob, file_name, size FROM exports WHERE account_id = ? AND fingerprint = ?", [accountID, fingerprint])
            .flatMap(archive)
    }

    private static func archive(_ row: Row) throws -> ExportArchive? {
        guard let blob = BlobID(hex: try row.string("blob")) else { return nil }
        return ExportArchive(id: try row.string("id"), blob: blob, fileName: try row.string("file_name"), size: try row.int("size"), reused: true)
    }
}
