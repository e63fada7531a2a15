import HTTP
import Quarry

/// The Humans-in-the-Loop v1 API (../shared/specs/hitl-api-v1.md).
enum HITLRoutes {
    static func bind(_ router: inout Router, services: Services) {
        router.get("/v1/health", shaped(ErrorShapes.plain) { request in try health(request, services) })
    }

    /// `{"status": "UP"}`. A request that presents a key also learns whether it is accepted (401 if not).
    private static func health(_ request: Request, _ services: Services) throws -> Response {
        if Auth.presentedKey(request) != nil {
            _ = try Auth.account(request, services.accounts)
        }
        return JSON.response(["status": "UP"])
    }
}
