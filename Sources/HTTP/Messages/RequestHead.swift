/// What the parser learned from a request line and its header fields.
public struct RequestHead: Sendable {
    public enum Version: Sendable, Equatable {
        case http1_0
        case http1_1
    }

    public var method: Method
    /// The request-target exactly as sent (origin-form, e.g. `/a%20b?x=1`).
    public var target: String
    /// The part of `target` before `?`, still percent-encoded so `%2F` stays inside its segment.
    public var path: String
    /// The part of `target` after `?`, or "" when there is none.
    public var query: String
    public var version: Version
    public var headers: HTTPFields
    /// Whether the connection may carry another request after this one (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// `Expect: 100-continue` was sent: the client waits for our go-ahead before the body.
    public var expectsContinue: Bool

    public init(method: Method, target: String, version: Version, headers: HTTPFields,
                keepAlive: Bool, expectsContinue: Bool) {
        self.method = method
        self.target = target
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = ""
        }
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }
}

/// How the body that follows a head is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}
