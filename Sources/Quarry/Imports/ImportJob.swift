import Foundation
import Storage

/// An import's progress and outcome, as the API shows it.
public struct ImportJob: Sendable, Encodable {
    public struct Duplicate: Sendable, Codable, Equatable {
        public let name: String
        /// The file (in this import) or image (already in the project) with the same bytes.
        public let duplicate_of: String
    }

    public struct Skipped: Sendable, Codable, Equatable {
        public let name: String
        public let reason: String
    }

    public let id: String
    public let project_id: String
    /// `upload` (a ZIP) or `local` (a folder under QUARRY_IMPORT_ROOT).
    public let source: String
    /// `queued`, `running`, `done` or `failed`.
    public let status: String
    public let total: Int
    public let processed: Int
    public let imported: Int
    public let duplicates: [Duplicate]
    public let skipped: [Skipped]
    public let error: String?
    public let dataset_id: Int?
    public let created_at: String
    public let finished_at: String?

    static func load(_ row: Row) throws -> ImportJob {
        let decoder = JSONDecoder()
        return ImportJob(
            id: try row.string("id"), project_id: try row.string("project_id"), source: try row.string("source"),
            status: try row.string("status"), total: try row.int("total"), processed: try row.int("processed"),
            imported: try row.int("imported"),
            duplicates: try decoder.decode([Duplicate].self, from: Data(try row.string("duplicates").utf8)),
            skipped: try decoder.decode([Skipped].self, from: Data(try row.string("skipped").utf8)),
            error: try row.optionalString("error"), dataset_id: try row.optionalInt("dataset_id"),
            created_at: try row.string("created_at"), finished_at: try row.optionalString("finished_at"))
    }
}

public enum ImportError: Error, Equatable, Sendable {
    case notFound(String)
    /// Local imports are off until QUARRY_IMPORT_ROOT names the folder they may read.
    case localImportsDisabled
    case outsideImportRoot(String)
    case notAFolder(String)
    case invalidArchive(String)
}
