import Foundation
import Storage

/// The `import_jobs` table: an import's source, progress and outcome. Its status is the job runner's.
enum ImportJobStore {
    static func insert(id: String, accountID: String, projectID: String, source: String, on db: any Connection) throws {
        try db.run("INSERT INTO import_jobs (id, account_id, project_id, source, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [id, accountID, projectID, source, JobStatus.pending.rawValue, Timestamp.now()])
    }

    /// The account's import `id` in the project, if there is one.
    static func find(id: String, accountID: String, projectID: String, on db: any Connection) throws -> ImportJob? {
        try db.queryOne("SELECT * FROM import_jobs WHERE id = ? AND account_id = ? AND project_id = ?", [id, accountID, projectID])
            .map(ImportJob.load)
    }

    static func list(accountID: String, projectID: String, on db: any Connection) throws -> [ImportJob] {
        try db.query("SELECT * FROM import_jobs WHERE account_id = ? AND project_id = ? ORDER BY created_at, id", [accountID, projectID])
            .map(ImportJob.load)
    }

    static func setTotal(_ total: Int, id: String, on db: any Connection) throws {
        try db.run("UPDATE import_jobs SET total = ? WHERE id = ?", [total, id])
    }

    static func setProcessed(_ processed: Int, id: String, on db: any Connection) throws {
        try db.run("UPDATE import_jobs SET processed = ? WHERE id = ?", [processed, id])
    }

    /// The import's outcome and the import completed, in the transaction that made its dataset.
    static func complete(id: String, imported: Int, duplicates: [ImportJob.Duplicate], skipped: [ImportJob.Skipped], datasetID: Int?,
                         on db: any Connection) throws {
        let encoder = JSONEncoder()
        try db.run("""
            UPDATE import_jobs SET processed = total, imported = ?, duplicates = ?, skipped = ?, dataset_id = ? WHERE id = ?
            """, [imported, String(decoding: try encoder.encode(duplicates), as: UTF8.self),
                  String(decoding: try encoder.encode(skipped), as: UTF8.self), datasetID, id])
        try JobRecords.apply(.complete, to: .importJob, id: id, on: db)
    }
}
