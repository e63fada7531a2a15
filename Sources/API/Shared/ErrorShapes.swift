import HTTP

/// Each surface's error body. Errors the HTTP layer raises before any adapter runs (unknown route,
/// limits, bad framing) are shaped by the path, so each client always gets its own API's shape.
enum ErrorShapes {
    /// `{"error": "message"}`: HITL, JTheta, admin and the root paths.
    static func plain(_ error: APIError) -> Response {
        JSON.response(["error": error.message], status: error.status)
    }

    /// `{"detail": "message"}`: the JTheta API, as its Django server answers.
    static func detail(_ error: APIError) -> Response {
        JSON.response(["detail": error.message], status: error.status)
    }

    /// `{"status": "error", "error": {"code": ..., "message": ...}}`: the Studio API under /api/.
    static func studio(_ error: APIError) -> Response {
        JSON.response(StudioFailure(error: .init(code: error.code, message: error.message)), status: error.status)
    }

    static func isStudio(path: String) -> Bool { path == "/api" || path.hasPrefix("/api/") }

    static let responder: ErrorResponder = { status, message, head in
        let error = APIError(status, code: APIError.code(for: status), message)
        guard let path = head?.path else { return plain(error) }
        if JThetaRoutes.owns(path: path) { return detail(error) }
        return isStudio(path: path) ? studio(error) : plain(error)
    }

    private struct StudioFailure: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }

        var status = "error"
        let error: Detail
    }
}
