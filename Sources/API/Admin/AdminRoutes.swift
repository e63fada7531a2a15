import Crypto
import HTTP
import Quarry

/// Administration over HTTP, present only when `QUARRY_ADMIN_KEY` is set (otherwise the routes do
/// not exist and answer 404). The same operations as `quarry admin` on the command line.
enum AdminRoutes {
    static func bind(_ router: inout Router, services: Services, adminKey: String, requestMetrics: RequestMetrics? = nil) {
        let expected = SHA256.hash(Array(adminKey.utf8))
        func admin(_ handler: @escaping @Sendable (Request) throws -> Response) -> Handler {
            shaped(ErrorShapes.plain) { request in
                // Both sides hashed first, so the comparison is constant-time whatever the lengths.
                let presented = SHA256.hash(Array((Auth.presentedKey(request) ?? "").utf8))
                guard ConstantTime.equal(presented, expected) else {
                    throw APIError(.unauthorized, "missing or invalid admin key")
                }
                return try handler(request)
            }
        }
        router.get("/admin/accounts", admin { _ in try accountList(services) })
        router.post("/admin/accounts", options: RouteOptions(maxBodyBytes: 64 * 1024), admin { try accountCreate($0, services) })
        router.post("/admin/accounts/{account}/keys/rotate", admin { try keyRotate($0, services) })
        router.post("/admin/workers/link", options: RouteOptions(maxBodyBytes: 64 * 1024), admin { try workerLink($0, services) })
        router.post("/admin/projects/{project_id}/activate", admin { try projectStatus($0, services, .active) })
        router.post("/admin/projects/{project_id}/deactivate", admin { try projectStatus($0, services, .inactive) })
        // Prometheus scrapes with `authorization: { credentials: ADMIN_KEY }` (a Bearer header).
        router.get("/metrics", admin { _ in
            let text = (requestMetrics?.render() ?? "") + (try OperationalGauges.render(services.database))
            return Response.bytes(Array(text.utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        })
    }

    /// A new workbench sign-in link for a worker (earlier links stop working): `{"email": ..., "account": ...}`.
    private static func workerLink(_ request: Request, _ services: Services) throws -> Response {
        struct Body: Decodable {
            let email: String
            let account: String?
        }
        let body = try JSON.decode(Body.self, from: request)
        let (worker, token) = try services.workers.issueToken(email: body.email, account: body.account)
        return JSON.response(["worker_id": worker.id, "email": worker.email, "token": token, "link": WorkbenchLink.path(token: token)])
    }

    /// Activates or deactivates any account's project. Activation may name the workers its jobs go to:
    /// `{"annotator": "a@example.com", "reviewer": "b@example.com"}` (both optional).
    private static func projectStatus(_ request: Request, _ services: Services, _ status: ProjectStatus) throws -> Response {
        struct Body: Decodable {
            let annotator: String?
            let reviewer: String?
        }
        let body = request.body.count == 0 ? Body(annotator: nil, reviewer: nil) : try JSON.decode(Body.self, from: request)
        let project = try services.administration.setStatus(projectID: request.parameter("project_id") ?? "", status: status,
                                                            annotator: body.annotator, reviewer: body.reviewer)
        return JSON.response(["id": project.id, "name": project.name, "status": project.status.rawValue])
    }

    private struct AccountBody: Encodable {
        let id: String
        let name: String
        let created_at: String
        let active_keys: Int?
    }

    private struct KeyIssued: Encodable {
        let account: AccountBody
        let api_key: String
    }

    private static func accountList(_ services: Services) throws -> Response {
        let accounts = try services.accounts.list().map {
            AccountBody(id: $0.account.id, name: $0.account.name, created_at: $0.account.createdAt, active_keys: $0.activeKeys)
        }
        return JSON.response(["accounts": accounts])
    }

    private static func accountCreate(_ request: Request, _ services: Services) throws -> Response {
        struct Create: Decodable { let name: String }
        let body = try JSON.decode(Create.self, from: request)
        let (account, key) = try services.accounts.create(name: body.name)
        return JSON.response(issued(account, key), status: .created)
    }

    private static func keyRotate(_ request: Request, _ services: Services) throws -> Response {
        let (account, key) = try services.accounts.rotateKey(account: request.parameter("account") ?? "")
        return JSON.response(issued(account, key))
    }

    private static func issued(_ account: Account, _ key: String) -> KeyIssued {
        KeyIssued(account: AccountBody(id: account.id, name: account.name, created_at: account.createdAt, active_keys: nil),
                  api_key: key)
    }
}
