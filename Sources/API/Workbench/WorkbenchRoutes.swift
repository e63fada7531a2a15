import Foundation
import HTTP
import Quarry

/// The browser workbench: its files under `/workbench/`, and sign-in. The sign-in link carries the
/// worker's token in its fragment (`/workbench/#token=…`), which browsers never send or log; the page
/// posts it once to `/workbench/session` and gets a session cookie that the worker API accepts as it
/// accepts the token.
enum WorkbenchRoutes {
    static func bind(_ router: inout Router, services: Services) {
        AppFiles(directory: AppFiles.locate("workbench"), files: AppFiles.workbench).bind(&router, prefix: "/workbench/")
        router.post("/workbench/session", options: RouteOptions(maxBodyBytes: 4096), shaped(ErrorShapes.plain) { request in
            struct Body: Decodable { let token: String }
            let body = try JSON.decode(Body.self, from: request)
            guard let (worker, secret) = try services.workers.startSession(token: body.token) else {
                throw APIError(.unauthorized, "this sign-in link is not valid (any more); ask for a new one")
            }
            var response = JSON.response(["id": worker.id, "email": worker.email])
            response.headers.append("Set-Cookie", SessionCookie.worker.set(secret, lifetime: WorkerService.sessionLifetime))
            return response
        })
        router.post("/workbench/signout", shaped(ErrorShapes.plain) { request in
            if let secret = SessionCookie.worker.value(in: request) { try services.workers.endSession(secret) }
            var response = JSON.response(["signed_out": true])
            response.headers.append("Set-Cookie", SessionCookie.worker.cleared)
            return response
        })
    }
}
