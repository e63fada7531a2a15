import Storage

/// Projects and their label classes, always within one account.
public struct ProjectService: Sendable {
    let database: any Database

    public init(database: any Database) {
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
        } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
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

    /// Renames the project or changes its task; nil leaves a field as it is.
    public func update(accountID: String, id: String, name rawName: String?, task: ProjectTask?) throws -> Project {
        let name = try rawName.map { try Validate.name($0, field: "name") }
        do {
            return try database.write { db in
                guard var project = try ProjectStore.find(accountID: accountID, id: id, on: db) else { throw ProjectError.notFound(id) }
                project.name = name ?? project.name
                project.task = task ?? project.task
                project.updatedAt = Timestamp.now()
                try ProjectStore.update(project, on: db)
                return project
            }
        } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
            throw ProjectError.nameTaken(name ?? "")
        }
    }

    /// Deletes the project and everything in it (datasets, images, tasks, labels) in one transaction.
    /// The blob collector then removes files nothing else refers to.
    public func delete(accountID: String, name: String) throws {
        try delete(name) { db in try ProjectStore.find(accountID: accountID, name: name, on: db) }
    }

    public func delete(accountID: String, id: String) throws {
        try delete(id) { db in try ProjectStore.find(accountID: accountID, id: id, on: db) }
    }

    private func delete(_ reference: String, _ find: (any Connection) throws -> Project?) throws {
        try database.write { db in
            guard let project = try find(db) else { throw ProjectError.notFound(reference) }
            try ProjectStore.delete(id: project.id, on: db)
        }
    }

    /// Adds the classes the project lacks, in order. A class that exists with another type is a
    /// conflict: its existing labels would no longer fit it.
    static func merge(_ requested: [LabelClass], into projectID: String, on db: any Connection) throws {
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
