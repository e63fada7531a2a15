import Foundation
import Storage

enum ModelExportStore: ProjectJobStore {
    static func notFound(_ id: String) -> any Error { ModelExportError.notFound("export '\(id)'") }
    static func stillActive(_ id: String) -> any Error { ModelExportError.stillActive(id) }

    static func insert(_ export: ModelExport, on db: any Connection) throws {
        try db.run("INSERT INTO model_exports (id, project_id, run_id, request, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [export.id, export.projectID, export.request.runID, try export.request.storedText,
                    export.status.rawValue, export.createdAt])
    }

    /// The export's file, and the export completed, in one transaction.
    static func complete(_ id: String, blob: BlobID, size: Int, fileName: String, on db: any Connection) throws {
        try db.run("UPDATE model_exports SET blob = ?, size = ?, file_name = ? WHERE id = ?", [blob.hex, size, fileName, id])
        try JobRecords.apply(.complete, to: .modelExport, id: id, on: db)
    }

    static func delete(id: String, on db: any Connection) throws {
        try db.run("DELETE FROM model_exports WHERE id = ?", [id])
    }

    static func find(id: String, on db: any Connection) throws -> ModelExport? {
        try db.queryOne("SELECT * FROM model_exports WHERE id = ?", [id]).map(export)
    }

    static func list(projectID: String, on db: any Connection) throws -> [ModelExport] {
        try db.query("SELECT * FROM model_exports WHERE project_id = ? ORDER BY created_at, id", [projectID]).map(export)
    }

    private static func export(_ row: Row) throws -> ModelExport {
        ModelExport(id: try row.string("id"), projectID: try row.string("project_id"),
                    request: try ModelExportRequest.stored(try row.string("request")),
                    status: JobStatus(rawValue: try row.string("status")) ?? .failed, error: try row.optionalString("error"),
                    blob: try row.optionalString("blob"), size: try row.optionalInt("size"), fileName: try row.optionalString("file_name"),
                    createdAt: try row.string("created_at"), finishedAt: try row.optionalString("finished_at"))
    }
}
