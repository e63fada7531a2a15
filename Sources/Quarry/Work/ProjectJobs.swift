import Storage

/// A job record that belongs to a project: a run, an evaluation, a model export.
protocol ProjectJob: Sendable {
    var projectID: String { get }
    var status: JobStatus { get }
}

/// The store of one kind of project job, and the errors its service answers with.
protocol ProjectJobStore {
    associatedtype Job: ProjectJob
    static func find(id: String, on db: any Connection) throws -> Job?
    static func list(projectID: String, on db: any Connection) throws -> [Job]
    static func delete(id: String, on db: any Connection) throws
    static func notFound(_ id: String) -> any Error
    static func stillActive(_ id: String) -> any Error
}

/// How every kind of project job is looked up and removed: through the project's owner, so another
/// account's job (or another project's) is absent, and never while the job runner still has it.
enum ProjectJobs<Store: ProjectJobStore> {
    static func list(accountID: String, projectID: String, in database: any Database) throws -> [Store.Job] {
        try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try Store.list(projectID: projectID, on: db)
        }
    }

    static func get(accountID: String, projectID: String, id: String, in database: any Database) throws -> Store.Job {
        try database.read { db in try find(accountID: accountID, projectID: projectID, id: id, on: db) }
    }

    static func find(accountID: String, projectID: String, id: String, on db: any Connection) throws -> Store.Job {
        _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
        guard let job = try Store.find(id: id, on: db), job.projectID == projectID else { throw Store.notFound(id) }
        return job
    }

    /// Removes the record unless the job is pending or running; the check and the delete are one transaction.
    static func delete(accountID: String, projectID: String, id: String, in database: any Database) throws {
        try database.write { db in
            let job = try find(accountID: accountID, projectID: projectID, id: id, on: db)
            guard !job.status.isActive else { throw Store.stillActive(id) }
            try Store.delete(id: id, on: db)
        }
    }
}
