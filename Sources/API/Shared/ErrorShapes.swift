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

    /// `{"status": "error", "error": {"code": ..., "message": ..., "details": {"field", "reason"}}}`: the
    /// Studio API under /api/, `details` only for a refused value. A refused request is 422 here, as
    /// studio-api-related.md says, where the other surfaces' specs answer it 400.
    static func studio(_ error: APIError) -> Response {
        let status: Status = error.code == APIError.validation ? .unprocessableContent : error.status
        return JSON.response(StudioFailure(error: .init(code: error.code, message: error.message, details: error.details)), status: status)
    }

    static func isStudio(path: String) -> Bool { path == "/api" || path.hasPrefix("/api/") }

    static let responder: ErrorResponder = { status, message, head in
        let error = APIError(status, message)
        guard let path = head?.path else { return plain(error) }
        if JThetaRoutes.owns(path: path) { return detail(error) }
        return isStudio(path: path) ? studio(error) : plain(error)
    }

    private struct StudioFailure: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            /// Left out when nil, as the synthesized encoding does.
            let details: APIError.Details?
        }

        var status = "error"
        let error: Detail
    }
}
