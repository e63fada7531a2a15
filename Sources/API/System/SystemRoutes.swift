import HTTP

/// Routes that belong to no API surface.
enum SystemRoutes {
    static func bind(_ router: inout Router) {
        // Liveness for load balancers and systemd: no authentication, no database, never blocks,
        // so it runs on the event loop and answers even when every handler thread is busy.
        router.get("/healthz", options: RouteOptions(runsInline: true)) { _ in healthy }
    }

    private static let healthy = Response.bytes(Array("{\"status\":\"ok\"}".utf8), contentType: "application/json")
}
