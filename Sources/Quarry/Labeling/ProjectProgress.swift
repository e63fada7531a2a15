import Storage

/// How far labeling of a project has come, overall, per dataset and per annotator.
public struct ProjectProgress: Sendable {
    public struct Counts: Sendable, Equatable {
        public var total = 0
        public var byStatus: [TaskStatus: Int] = [:]

        public var done: Int { byStatus[.done, default: 0] }

        /// Done tasks as a share of all, in percent with two decimals; 0 when there are no tasks.
        public var percentDone: Double {
            total == 0 ? 0 : (Double(done) * 10_000 / Double(total)).rounded() / 100
        }

        mutating func add(_ status: TaskStatus, _ count: Int) {
            total += count
            byStatus[status, default: 0] += count
        }
    }

    public let project: Project
    public let overall: Counts
    public let datasets: [(id: Int, name: String, counts: Counts)]
    public let annotators: [(email: String, counts: Counts)]
    public let reviewers: [(email: String, counts: Counts)]
}

extension LabelingService {
    /// JTheta names projects by their title.
    public func progress(accountID: String, projectName: String) throws -> ProjectProgress {
        try database.read { db in
            guard let project = try ProjectStore.find(accountID: accountID, name: projectName, on: db) else {
                throw ProjectError.notFound(projectName)
            }
            return try Self.progress(of: project, on: db)
        }
    }

    /// The Studio names them by id.
    public func progress(accountID: String, projectID: String) throws -> ProjectProgress {
        try database.read { db in
            guard let project = try ProjectStore.find(accountID: accountID, id: projectID, on: db) else {
                throw ProjectError.notFound(projectID)
            }
            return try Self.progress(of: project, on: db)
        }
    }

    private static func progress(of project: Project, on db: any Connection) throws -> ProjectProgress {
        var overall = ProjectProgress.Counts()
        for row in try db.query("SELECT status, COUNT(*) AS n FROM tasks WHERE project_id = ? GROUP BY status", [project.id]) {
            overall.add(TaskStatus(rawValue: try row.string("status")) ?? .error, try row.int("n"))
        }
        var datasets: [(id: Int, name: String, counts: ProjectProgress.Counts)] =
            try DatasetStore.list(projectID: project.id, on: db).map { ($0.id, $0.name, ProjectProgress.Counts()) }
        // A task counts toward the dataset of its first image.
        for row in try db.query("""
            SELECT i.dataset_id, t.status, COUNT(*) AS n FROM tasks t
            JOIN task_images ti ON ti.task_id = t.id AND ti.position = 0 JOIN images i ON i.id = ti.image_id
            WHERE t.project_id = ? GROUP BY i.dataset_id, t.status
            """, [project.id]) {
            let datasetID = try row.int("dataset_id")
            guard let index = datasets.firstIndex(where: { $0.id == datasetID }) else { continue }
            datasets[index].counts.add(TaskStatus(rawValue: try row.string("status")) ?? .error, try row.int("n"))
        }
        return ProjectProgress(project: project, overall: overall, datasets: datasets,
                               annotators: try perWorker(column: "annotator_id", projectID: project.id, on: db),
                               reviewers: try perWorker(column: "reviewer_id", projectID: project.id, on: db))
    }

    /// Task counts per worker in one role; `column` is `annotator_id` or `reviewer_id`.
    private static func perWorker(column: String, projectID: String, on db: any Connection) throws -> [(email: String, counts: ProjectProgress.Counts)] {
        var workers: [(email: String, counts: ProjectProgress.Counts)] = []
        for row in try db.query("""
            SELECT w.email, t.status, COUNT(*) AS n FROM tasks t JOIN workers w ON w.id = t.\(column)
            WHERE t.project_id = ? GROUP BY w.email, t.status ORDER BY w.email
            """, [projectID]) {
            let email = try row.string("email")
            if workers.last?.email != email { workers.append((email, ProjectProgress.Counts())) }
            workers[workers.count - 1].counts.add(TaskStatus(rawValue: try row.string("status")) ?? .error, try row.int("n"))
        }
        return workers
    }
}
