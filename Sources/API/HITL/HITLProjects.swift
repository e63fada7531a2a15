import HTTP
import Quarry

struct HITLProjects: Sendable {
    let services: Services

    /// `POST /v1/projects`: downloads the instructions during the request; the project starts `new`.
    func create(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let name: String
            let instructions_file_url: String
        }
        let body = try JSON.decode(Body.self, from: request)
        let project = try services.hitl.createProject(accountID: account.id, name: body.name, instructionsURL: body.instructions_file_url)
        return JSON.response(["id": project.id])
    }

    func status(_ request: Request, _ account: Account) throws -> Response {
        let project = try services.projects.find(accountID: account.id, id: request.parameter("project_id") ?? "")
        return JSON.response(["status": project.status.rawValue])
    }
}
