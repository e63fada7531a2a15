import Foundation
import HTTP
import Quarry

/// `/api/system/health` and `/api/system/workspace`.
struct StudioSystem: Sendable {
    let services: Services

    func health(_ request: Request, _ account: Account) throws -> Response {
        struct Health: Encodable {
            let status: String
            let database: String
            let uptime_seconds: Int
        }
        let healthy = services.isHealthy
        let body = Health(status: healthy ? "healthy" : "degraded", database: healthy ? "ok" : "unavailable",
                          uptime_seconds: Int(Date().timeIntervalSince(services.startedAt)))
        return Studio.ok(body, status: healthy ? .ok : .serviceUnavailable)
    }

    func workspace(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.workspace(accountID: account.id))
    }
}
