import HTTP

/// An error an adapter answers with: the status, a message safe to show the client, a stable code
/// and, for a refused value, the field and why. The Studio envelope sends the code and the details;
/// the other surfaces send only the message.
public struct APIError: Error, Sendable, Equatable {
    /// Which field of a request was refused, and why (the message is the two joined).
    public struct Details: Sendable, Equatable, Encodable {
        public let field: String
        public let reason: String
    }

    public let status: Status
    public let code: String
    public let message: String
    public let details: Details?

    /// `code` is the status's own (`code(for:)`) unless a more precise one is named.
    public init(_ status: Status, code: String? = nil, _ message: String, details: Details? = nil) {
        self.status = status
        self.code = code ?? Self.code(for: status)
        self.message = message
        self.details = details
    }

    /// A request that was read and refused. HITL, JTheta and admin answer it 400, as their clients
    /// expect; the Studio answers `VALIDATION_ERROR` 422, as its spec says (`ErrorShapes.studio`).
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: validation, message) }
    /// A value the API refuses, in the words every surface uses: the field, then why. `code` and
    /// `status` name a refusal more precise than a validation error (a GPU this server lacks).
    public static func invalid(_ field: String, _ reason: String, code: String = validation,
                               status: Status = .badRequest) -> APIError {
        APIError(status, code: code, "\(field) \(reason)", details: Details(field: field, reason: reason))
    }
    /// `code` may name what was not found (`RUN_NOT_FOUND`); clients that know only `NOT_FOUND` read the status.
    public static func notFound(_ message: String, code: String = "NOT_FOUND") -> APIError { APIError(.notFound, code: code, message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }
    public static let unauthorized = APIError(.unauthorized, "missing or invalid API key")

    /// The Studio's code for a refused request or value.
    public static let validation = "VALIDATION_ERROR"

    /// The stable code of each status, for errors that have no more precise one: those the HTTP layer
    /// raises on its own (404, 405, 413, ...) and the adapters' generic ones. One code per status, so a
    /// client can tell them apart by either. docs/decisions.md lists them.
    static func code(for status: Status) -> String {
        switch status.code {
        case 400: "BAD_REQUEST"
        case 401: "UNAUTHORIZED"
        case 403: "FORBIDDEN"
        case 404: "NOT_FOUND"
        case 405: "METHOD_NOT_ALLOWED"
        case 408: "REQUEST_TIMEOUT"
        case 409: "CONFLICT"
        case 410: "GONE"
        case 413: "PAYLOAD_TOO_LARGE"
        case 414: "URI_TOO_LONG"
        case 415: "UNSUPPORTED_MEDIA_TYPE"
        case 417: "EXPECTATION_FAILED"
        case 422: validation
        case 431: "HEADERS_TOO_LARGE"
        case 501: "NOT_IMPLEMENTED"
        case 503: "UNAVAILABLE"
        case 505: "HTTP_VERSION_NOT_SUPPORTED"
        case 507: "INSUFFICIENT_STORAGE"
        default: "INTERNAL_ERROR"
        }
    }
}
