import Foundation
import HTTP

/// Routes that belong to no API surface.
enum SystemRoutes {
    static func bind(_ router: inout Router) {
        // Liveness for load balancers and systemd: no authentication, no database, never blocks,
        // so it runs on the event loop and answers even when every handler thread is busy.
        router.get("/healthz", options: RouteOptions(runsInline: true)) { _ in healthy }
        // The OpenAPI document of each surface, public like the specs they describe.
        let documents = AppFiles(directory: AppFiles.locate("openapi", marker: "studio.json"), files: openAPI, commonDirectory: nil)
        router.get("/openapi/{name}", shaped(ErrorShapes.plain) { request in try documents.response(request.parameter("name") ?? "") })
    }

    static let openAPI = Dictionary(uniqueKeysWithValues: ["jtheta", "hitl", "studio", "worker", "admin"].map {
        ("\($0).json", "application/json")
    })

    private static let healthy = Response.bytes(Array("{\"status\":\"ok\"}".utf8), contentType: "application/json")
}
