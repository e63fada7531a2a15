import Foundation
import HTTP
import Quarry

/// The browser workbench: its files under `/workbench/`, and sign-in. The sign-in link carries the
/// worker's token in its fragment (`/workbench/#token=…`), which browsers never send or log; the page
/// posts it once to `/workbench/session` and gets an HttpOnly, SameSite=Strict session cookie that the
/// worker API accepts as it accepts the token.
enum WorkbenchRoutes {
    static let cookie = "quarry_session"

    static func bind(_ router: inout Router, services: Services, files: WorkbenchFiles) {
        // The router reads /workbench and /workbench/ alike; the page's relative URLs need the slash.
        router.get("/workbench/", plain { request in
            guard request.path.hasSuffix("/") else {
                var response = Response(status: .found)
                response.headers.append("Location", "/workbench/")
                return response
            }
            return try files.response("index.html")
        })
        router.get("/workbench/{file}", plain { request in try files.response(request.parameter("file") ?? "") })
        router.post("/workbench/session", options: RouteOptions(maxBodyBytes: 4096), plain { request in
            struct Body: Decodable { let token: String }
            guard let bytes = try request.body.data(), let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)),
                  let (worker, secret) = try services.workers.startSession(token: body.token) else {
                throw APIError(.unauthorized, code: "unauthorized", "this sign-in link is not valid (any more); ask for a new one")
            }
            var response = JSON.response(["id": worker.id, "email": worker.email])
            response.headers.append("Set-Cookie", "\(cookie)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(WorkerService.sessionLifetime.components.seconds)")
            return response
        })
        router.post("/workbench/signout", plain { request in
            if let secret = session(request) { try services.workers.endSession(secret) }
            var response = JSON.response(["signed_out": true])
            response.headers.append("Set-Cookie", "\(cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
            return response
        })
    }

    /// The session secret the request's cookie carries, if any.
    static func session(_ request: Request) -> String? {
        for header in request.headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookie { return String(parts[1]) }
            }
        }
        return nil
    }

    private static func plain(_ handler: @escaping @Sendable (Request) throws -> Response) -> Handler {
        shaped(ErrorShapes.plain, handler)
    }
}
