import Foundation
import Storage

/// An import's progress and outcome.
public struct ImportJob: Sendable {
    /// A file with the same bytes as another: skipped, and named with it.
    public struct Duplicate: Sendable, Codable, Equatable {
        public let name: String
        /// The file (in this import) or image (already in the project) with the same bytes.
        public let duplicateOf: String

        /// Stored as the import API shows it.
        enum CodingKeys: String, CodingKey {
            case name
            case duplicateOf = "duplicate_of"
        }
    }

    public struct Skipped: Sendable, Codable, Equatable {
        public let name: String
        public let reason: String
    }

    public let id: String
    public let projectID: String
    /// `upload` (a ZIP) or `local` (a folder under QUARRY_IMPORT_ROOT).
    public let source: String
    public let status: JobStatus
    public let total: Int
    public let processed: Int
    public let imported: Int
    public let duplicates: [Duplicate]
    public let skipped: [Skipped]
    public let error: String?
    public let datasetID: Int?
    public let createdAt: String
    public let finishedAt: String?

    static func load(_ row: Row) throws -> ImportJob {
        let decoder = JSONDecoder()
        return ImportJob(
            id: try row.string("id"), projectID: try row.string("project_id"), source: try row.string("source"),
            status: JobStatus(rawValue: try row.string("status")) ?? .failed, total: try row.int("total"), processed: try row.int("processed"),
            imported: try row.int("imported"),
            duplicates: try decoder.decode([Duplicate].self, from: Data(try row.string("duplicates").utf8)),
            skipped: try decoder.decode([Skipped].self, from: Data(try row.string("skipped").utf8)),
            error: try row.optionalString("error"), datasetID: try row.optionalInt("dataset_id"),
            createdAt: try row.string("created_at"), finishedAt: try row.optionalString("finished_at"))
    }
}

public enum ImportError: Error, Equatable, Sendable {
    case notFound(String)
    /// Local imports are off until QUARRY_IMPORT_ROOT names the folder they may read.
    case localImportsDisabled
    case outsideImportRoot(String)
    case notAFolder(String)
    case invalidArchive(String)
    /// The files are not in the layout the client named.
    case formatMismatch(ImportFormat, String)
}

extension ImportError: CustomStringConvertible {
    /// How a failed import job reads.
    public var description: String {
        switch self {
        case .notFound(let id): "import \(id) not found"
        case .localImportsDisabled: "local imports are disabled (QUARRY_IMPORT_ROOT is not set)"
        case .outsideImportRoot(let path): "\(path) is outside the import root"
        case .notAFolder(let path): "\(path) is not a folder"
        case .invalidArchive(let reason): "the ZIP archive was refused: \(reason)"
        case .formatMismatch(let format, let reason): "the files are not in the \(format.rawValue) layout: \(reason)"
        }
    }
}
