import Foundation
import Storage

/// The `import_jobs` table: an import's source, progress and outcome. Its status is the job runner's.
enum ImportJobStore {
    /// What an import reads.
    enum Source: Equatable {
        /// An uploaded ZIP, kept as a blob while the import waits or goes.
        case archive(BlobID)
        /// A folder under the import root, resolved.
        case folder(String)

        /// The API's name for it.
        var name: String {
            switch self {
            case .archive: "upload"
            case .folder: "local"
            }
        }
    }

    static func insert(id: String, accountID: String, projectID: String, source: Source, format: ImportFormat?, on db: any Connection) throws {
        var (blob, folder): (String?, String?) = (nil, nil)
        switch source {
        case .archive(let id): blob = id.hex
        case .folder(let path): folder = path
        }
        try db.run("""
            INSERT INTO import_jobs (id, account_id, project_id, source, status, created_at, archive_blob, folder, format)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [id, accountID, projectID, source.name, JobStatus.pending.rawValue, Timestamp.now(), blob, folder, format?.rawValue])
    }

    /// What import `id` reads, its project and the layout asked for; nil when there is no such import, or
    /// it came from a Quarry that did not keep its source.
    static func source(of id: String, on db: any Connection) throws -> (projectID: String, source: Source, format: ImportFormat?)? {
        guard let row = try db.queryOne("SELECT project_id, archive_blob, folder, format FROM import_jobs WHERE id = ?", [id]) else { return nil }
        let source: Source
        if let blob = try row.optionalString("archive_blob").flatMap(BlobID.init(hex:)) {
            source = .archive(blob)
        } else if let folder = try row.optionalString("folder") {
            source = .folder(folder)
        } else {
            return nil
        }
        return (try row.string("project_id"), source, try row.optionalString("format").flatMap(ImportFormat.init(rawValue:)))
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
