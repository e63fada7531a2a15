import Synchronization

/// What every event loop shares: the routes, the limits and the handler pool. Immutable apart
/// from the connection count, which is atomic.
final class ServerContext: Sendable {
    let router: Router
    let limits: Limits
    let spoolDirectory: String
    let pool: HandlerPool
    let errorResponder: ErrorResponder
    let accessLog: Bool
    let metrics: RequestMetrics?
    /// Cross-origin access, nil when it is off (the default).
    let cors: CORSPolicy?
    let openConnections = Atomic<Int>(0)

    init(router: Router, limits: Limits, spoolDirectory: String, errorResponder: @escaping ErrorResponder, accessLog: Bool,
         metrics: RequestMetrics?, cors: CORSPolicy?) {
        self.router = router
        self.limits = limits
        self.spoolDirectory = spoolDirectory
        self.pool = HandlerPool(threads: limits.handlerThreads)
        self.errorResponder = errorResponder
        self.accessLog = accessLog
        self.metrics = metrics
        self.cors = cors
    }
}

/// Builds the response for an error the HTTP layer itself detects (bad framing, unknown route,
/// limits), so each API surface can answer in its own error shape. The head is nil when the
/// request could not be parsed.
public typealias ErrorResponder = @Sendable (_ status: Status, _ message: String, _ head: RequestHead?) -> Response

public enum DefaultErrorResponder {
    /// `{"error": "message"}`, the shape the HITL and JTheta adapters use too.
    public static let json: ErrorResponder = { status, message, _ in
        var escaped = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20: escaped += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return .bytes(Array("{\"error\":\"\(escaped)\"}".utf8), status: status, contentType: "application/json")
    }
}
