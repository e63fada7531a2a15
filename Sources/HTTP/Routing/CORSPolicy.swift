import Foundation

/// Cross-origin access for browser clients served from other origins (`QUARRY_CORS_ORIGINS`): an
/// allow-list of exact origins, without credentials, so a page may call the APIs with its own
/// `Authorization` header but never rides on a cookie of Quarry's (the workbench and dashboard sessions).
///
/// - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed origin is
///   answered 204 before routing, whatever the path: the real request then gets its real answer (404,
///   405, ...) with the CORS fields, which the page can read.
/// - Every other response to an allowed origin carries `Access-Control-Allow-Origin` echoing it, and
///   the response fields a client reads.
/// - A disallowed origin gets no `Access-Control-*` field at all, and its preflight is routed like any
///   `OPTIONS` (405 or 404), so the browser refuses the call.
/// - Every response says `Vary: Origin`, since whether it carries the fields depends on the origin: a
///   shared cache must not hand one origin's answer to another.
public struct CORSPolicy: Sendable, Equatable {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Serialized origins (`https://app.example:8443`), lowercased as browsers send them.
    public let origins: Set<String>

    /// The methods and request fields Quarry's APIs use; a fixed answer, so a method the path does
    /// not have reaches the route and gets its 405 in the API's error shape.
    static let allowedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE"
    static let allowedHeaders = "Authorization, Content-Type, X-Request-Id"
    /// What a page may read besides the safelisted fields: the request id for reports, paging, file names.
    static let exposedHeaders = "X-Request-Id, X-Total-Count, X-Page, X-Page-Size, Content-Disposition"
    /// Chromium's ceiling. The list changes only with a restart, and a removed origin is refused on
    /// its next real request anyway, since that answer lacks `Access-Control-Allow-Origin`.
    static let maxAge = "7200"

    /// From a comma list of origins. `*` and `null` are refused: the setting names sites, and `null` is
    /// what sandboxed frames and local files send, which anyone can make.
    public init(origins setting: String) throws(Invalid) {
        var origins: Set<String> = []
        for item in setting.split(separator: ",", omittingEmptySubsequences: false) {
            let text = item.trimmingCharacters(in: .whitespaces)
            guard let origin = Authority.origin(text) else {
                throw Invalid(description: "QUARRY_CORS_ORIGINS: \"\(text)\" is not an origin such as https://app.example.com or http://localhost:3000")
            }
            origins.insert(origin)
        }
        self.origins = origins
    }

    /// The 204 answer when `head` is a preflight from an allowed origin; nil to route it as usual.
    /// `decorate` adds the origin and `Vary`.
    func preflight(_ head: RequestHead) -> Response? {
        guard isPreflight(head), allowedOrigin(head) != nil else { return nil }
        var response = Response(status: .noContent)
        response.headers.append("Access-Control-Allow-Methods", Self.allowedMethods)
        response.headers.append("Access-Control-Allow-Headers", Self.allowedHeaders)
        response.headers.append("Access-Control-Max-Age", Self.maxAge)
        return response
    }

    /// Adds what every response to `head` carries.
    func decorate(_ response: inout Response, for head: RequestHead) {
        if let vary = response.headers["Vary"] {
            if vary != "*" { response.headers.set("Vary", "\(vary), Origin") }
        } else {
            response.headers.append("Vary", "Origin")
        }
        guard let origin = allowedOrigin(head) else { return }
        response.headers.set("Access-Control-Allow-Origin", origin)
        if !isPreflight(head) { response.headers.set("Access-Control-Expose-Headers", Self.exposedHeaders) }
    }

    /// The request's origin when it is on the list, exactly as sent. Several `Origin` fields are no
    /// browser's and get nothing.
    private func allowedOrigin(_ head: RequestHead) -> String? {
        let sent = head.headers.values("Origin")
        guard sent.count == 1, origins.contains(sent[0]) else { return nil }
        return sent[0]
    }

    private func isPreflight(_ head: RequestHead) -> Bool {
        head.method == .options && head.headers.contains("Access-Control-Request-Method")
    }
}
