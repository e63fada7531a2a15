import HTTP
import Quarry

/// The Humans-in-the-Loop v1 API (../shared/specs/hitl-api-v1.md). Errors are `{"error": "..."}`.
enum HITLRoutes {
    static func bind(_ router: inout Router, services: Services, egressIP: String?, urls: PublicURLs) {
        func route(_ handler: @escaping @Sendable (Request, Account) throws -> Response) -> Handler {
            shaped(ErrorShapes.plain) { request in try handler(request, try Auth.account(request, services.accounts)) }
        }
        let projects = HITLProjects(services: services)
        let jobs = HITLJobs(services: services, urls: urls)
        let json = RouteOptions(maxBodyBytes: 4 << 20)
        // Answered on the event loop when it needs no database: the database passed its probe a moment
        // ago, and there is no key or one verified a moment ago.
        let health = RouteOptions(runsInlineWhen: { request in
            services.wasRecentlyHealthy && (Auth.presentedKey(request).map { services.accounts.isRecentlyVerified(key: $0) } ?? true)
        })
        router.get("/v1/health", options: health, shaped(ErrorShapes.plain) { request in try Self.health(request, services) })
        router.post("/v1/projects", options: json, route(projects.create))
        router.get("/v1/projects/{project_id}", route(projects.status))
        router.post("/v1/jobs", options: json, route(jobs.create))
        router.get("/v1/jobs/{project_id}", route(jobs.list))
        router.get("/v1/jobs/{project_id}/{job_id}", route(jobs.status))
        router.delete("/v1/jobs/{project_id}/{job_id}", route(jobs.cancel))
        router.get("/v1/jobs/{project_id}/{job_id}/files/{position}", route(jobs.file))
        router.get("/v1/metrics", route(HITLMetrics(services: services).metrics))
        router.get("/v1/ip", route { _, _ in try egress(egressIP) })
        router.get("/v1/webhooks/deliveries", route(jobs.deliveries))
        router.get("/v1/webhooks/secret", route(jobs.secret))
    }

    /// `{"status": "UP"}` when the database can be read and written (`Services.isHealthy`), else
    /// `{"status": "DOWN"}` with 503. A request that presents a key also learns whether it is accepted
    /// (401 if not), which takes the database, so a DOWN answers first.
    private static func health(_ request: Request, _ services: Services) throws -> Response {
        guard services.isHealthy else { return down }
        if let key = Auth.presentedKey(request), try services.accounts.authenticate(key: key) == nil { throw APIError.unauthorized }
        return up
    }

    /// Encoded once: the health check is polled, and answered on the event loop.
    private static let up = JSON.response(["status": "UP"])
    private static let down = JSON.response(["status": "DOWN"], status: .serviceUnavailable)

    /// The address this server's outgoing requests come from: `QUARRY_EGRESS_IP` when set (behind NAT
    /// only the operator knows it), else the source address the kernel picks for the default route.
    private static func egress(_ configured: String?) throws -> Response {
        guard let address = configured ?? EgressAddress.discover() else {
            throw APIError(.serviceUnavailable, "the egress address is unknown; set QUARRY_EGRESS_IP")
        }
        return .text(address)
    }
}
