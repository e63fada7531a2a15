import HTTP
import Quarry

/// Projects, the same ones the JTheta and HITL APIs see.
struct StudioProjects: Sendable {
    let services: Services

    struct ProjectBody: Encodable {
        let id: String
        let name: String
        let task: String
        let category: String
        let status: String
        let created_at: String
        let updated_at: String
        let classes: [LabelClass]
        let image_count: Int

        init(_ summary: ProjectSummary) {
            let project = summary.project
            id = project.id
            name = project.name
            task = project.task.rawValue
            category = project.category
            status = project.status.rawValue
            created_at = project.createdAt
            updated_at = project.updatedAt
            classes = summary.classes
            image_count = summary.imageCount
        }
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.projects.summaries(accountID: account.id).map(ProjectBody.init))
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let name: String
            let task: String?
        }
        let body = try JSON.decode(Body.self, from: request)
        let project = try services.projects.create(accountID: account.id, name: body.name, task: try Self.task(body.task) ?? .classification)
        return Studio.ok(ProjectBody(try services.projects.summary(accountID: account.id, id: project.id)), status: .created)
    }

    func get(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(ProjectBody(try services.projects.summary(accountID: account.id, id: request.parameter("project_id") ?? "")))
    }

    func update(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let name: String?
            let task: String?
        }
        let body = try JSON.decode(Body.self, from: request)
        let id = request.parameter("project_id") ?? ""
        _ = try services.projects.update(accountID: account.id, id: id, name: body.name, task: try Self.task(body.task))
        return Studio.ok(ProjectBody(try services.projects.summary(accountID: account.id, id: id)))
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        let id = request.parameter("project_id") ?? ""
        try services.projects.delete(accountID: account.id, id: id)
        services.collectBlobsSoon()
        return Studio.deleted(id)
    }

    private static func task(_ name: String?) throws -> ProjectTask? {
        guard let name else { return nil }
        guard let task = ProjectTask(rawValue: name) else {
            throw APIError.invalid("task", "must be one of \(ProjectTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return task
    }

    /// Labeling progress: tasks per status, and per worker in each role.
    func progress(_ request: Request, _ account: Account) throws -> Response {
        struct Worker: Encodable {
            let email: String
            let role: String
            let new: Int, progress: Int, review: Int, done: Int
        }
        struct Progress: Encodable {
            let total: Int
            let by_status: [String: Int]
            let by_worker: [Worker]
        }
        let progress = try services.labeling.progress(accountID: account.id, projectID: request.parameter("project_id") ?? "")
        func workers(_ list: [(email: String, counts: ProjectProgress.Counts)], role: String) -> [Worker] {
            list.map { entry in
                let count = { (status: TaskStatus) in entry.counts.byStatus[status, default: 0] }
                return Worker(email: entry.email, role: role, new: count(.new), progress: count(.progress), review: count(.review), done: count(.done))
            }
        }
        let statuses = [TaskStatus.new, .progress, .review, .done, .error, .canceled, .expired]
        return Studio.ok(Progress(total: progress.overall.total,
                                  by_status: Dictionary(uniqueKeysWithValues: statuses.map { ($0.rawValue, progress.overall.byStatus[$0, default: 0]) }),
                                  by_worker: workers(progress.annotators, role: "annotator") + workers(progress.reviewers, role: "reviewer")))
    }
}
