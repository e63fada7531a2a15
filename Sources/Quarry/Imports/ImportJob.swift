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
    /// `queued`, `running`, `done` or `failed`: the import API's words for the job's `JobStatus`.
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

    /// Written by hand so `error`, `dataset_id` and `finished_at` are `null` until set, not missing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(id, forKey: JSONKey("id"))
        try container.encode(project_id, forKey: JSONKey("project_id"))
        try container.encode(source, forKey: JSONKey("source"))
        try container.encode(status, forKey: JSONKey("status"))
        try container.encode(total, forKey: JSONKey("total"))
        try container.encode(processed, forKey: JSONKey("processed"))
        try container.encode(imported, forKey: JSONKey("imported"))
        try container.encode(duplicates, forKey: JSONKey("duplicates"))
        try container.encode(skipped, forKey: JSONKey("skipped"))
        try container.encode(error, forKey: JSONKey("error"))
        try container.encode(dataset_id, forKey: JSONKey("dataset_id"))
        try container.encode(created_at, forKey: JSONKey("created_at"))
        try container.encode(finished_at, forKey: JSONKey("finished_at"))
    }

    /// The import API's word for a job status: it said `queued` and `done` before the job runner's
    /// vocabulary came, and clients read them.
    static func status(_ status: JobStatus) -> String {
        switch status {
        case .pending: "queued"
        case .completed: "done"
        default: status.rawValue
        }
    }

    static func load(_ row: Row) throws -> ImportJob {
        let decoder = JSONDecoder()
        return ImportJob(
            id: try row.string("id"), project_id: try row.string("project_id"), source: try row.string("source"),
            status: Self.status(JobStatus(rawValue: try row.string("status")) ?? .failed), total: try row.int("total"), processed: try row.int("processed"),
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
