import HTTP

/// An error an adapter answers with: the status, a message safe to show the client, and a stable
/// code (used by the Studio envelope; the other surfaces send only the message).
public struct APIError: Error, Sendable, Equatable {
    public let status: Status
    public let code: String
    public let message: String

    public init(_ status: Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "bad_request", message) }
    /// A value the API refuses, in the words every surface uses: the field, then why.
    public static func invalid(_ field: String, _ reason: String) -> APIError { .badRequest("\(field) \(reason)") }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, code: "conflict", message) }
    public static let unauthorized = APIError(.unauthorized, code: "unauthorized", "missing or invalid API key")

    /// The stable code for a status the HTTP layer produced on its own (404, 405, 413, ...).
    static func code(for status: Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 414: "uri_too_long"
        case 415: "unsupported_media_type"
        case 417: "expectation_failed"
        case 422: "unprocessable"
        case 431: "headers_too_large"
        case 501: "not_implemented"
        case 503: "unavailable"
        case 505: "http_version_not_supported"
        case 507: "insufficient_storage"
        default: "internal_error"
        }
    }
}
