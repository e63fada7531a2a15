import Storage

/// Projects and their label classes, always within one account.
public struct ProjectService: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func create(accountID: String, name rawName: String, category: String = "", task: ProjectTask = .classification,
                       status: ProjectStatus = .active) throws -> Project {
        let name = try Validate.name(rawName, field: "project name")
        let now = Timestamp.now()
        let project = Project(id: ID.make("proj"), accountID: accountID, name: name,
                              category: try Validate.text(category, field: "project category", limit: 200),
                              task: task, status: status, allowClassCreation: false, autoAnnotation: false,
                              createdAt: now, updatedAt: now)
        do {
            try database.write { db in try ProjectStore.insert(project, on: db) }
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            throw ProjectError.nameTaken(name)
        }
        return project
    }

    public func find(accountID: String, id: String) throws -> Project {
        guard let project = try database.read({ db in try ProjectStore.find(accountID: accountID, id: id, on: db) }) else {
            throw ProjectError.notFound(id)
        }
        return project
    }

    public func find(accountID: String, name: String) throws -> Project {
        guard let project = try database.read({ db in try ProjectStore.find(accountID: accountID, name: name, on: db) }) else {
            throw ProjectError.notFound(name)
        }
        return project
    }

    public func list(accountID: String) throws -> [Project] {
        try database.read { db in try ProjectStore.list(accountID: accountID, on: db) }
    }

    public func classes(projectID: String) throws -> [LabelClass] {
        try database.read { db in try ProjectStore.classes(projectID: projectID, on: db) }
    }

    /// Deletes the project and everything in it (datasets, images, tasks, labels) in one transaction.
    /// Returns the blobs its images used, for the caller to collect once nothing else refers to them.
    @discardableResult
    public func delete(accountID: String, name: String) throws -> Set<BlobID> {
        try database.write { db in
            guard let project = try ProjectStore.find(accountID: accountID, name: name, on: db) else {
                throw ProjectError.notFound(name)
            }
            let blobs = try db.query("""
                SELECT DISTINCT i.blob FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.project_id = ?
                """, [project.id]).compactMap { BlobID(hex: try $0.string("blob")) }
            try ProjectStore.delete(id: project.id, on: db)
            return Set(blobs)
        }
    }

    /// Adds the classes the project lacks, in order. A class that exists with another type is a
    /// conflict: its existing labels would no longer fit it.
    static func merge(_ requested: [LabelClass], into projectID: String, on db: Connection) throws {
        let existing = try ProjectStore.classes(projectID: projectID, on: db)
        for labelClass in requested {
            if let current = existing.first(where: { $0.name == labelClass.name }) {
                guard current.type == labelClass.type else {
                    throw ProjectError.classTypeConflict(name: labelClass.name, existing: current.type, requested: labelClass.type)
                }
                continue
            }
            try ProjectStore.appendClass(labelClass, projectID: projectID, on: db)
        }
    }
}
