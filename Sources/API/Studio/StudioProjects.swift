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
            throw APIError.badRequest("task must be one of \(ProjectTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return task
    }
}
