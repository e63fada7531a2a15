import Storage

/// A project with what a listing shows beside it.
public struct ProjectSummary: Sendable {
    public let project: Project
    public let classes: [LabelClass]
    public let imageCount: Int
}

extension ProjectService {
    public func summaries(accountID: String) throws -> [ProjectSummary] {
        try database.read { db in try ProjectStore.list(accountID: accountID, on: db).map { try Self.summary($0, on: db) } }
    }

    public func summary(accountID: String, id: String) throws -> ProjectSummary {
        try database.read { db in
            guard let project = try ProjectStore.find(accountID: accountID, id: id, on: db) else { throw ProjectError.notFound(id) }
            return try Self.summary(project, on: db)
        }
    }

    private static func summary(_ project: Project, on db: any Connection) throws -> ProjectSummary {
        let count = try db.scalar("SELECT COALESCE(SUM(image_count), 0) FROM datasets WHERE project_id = ?", [project.id])
        guard case .integer(let images) = count else { throw StorageError.typeMismatch(column: "image_count") }
        return ProjectSummary(project: project, classes: try ProjectStore.classes(projectID: project.id, on: db), imageCount: Int(images))
    }
}
