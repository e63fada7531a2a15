/// A response as a handler builds it. The server adds `Date`, `Content-Length` or
/// `Transfer-Encoding`, `Connection` and `X-Request-Id`.
public struct Response: Sendable {
    public var status: Status
    public var headers: HTTPFields
    public var body: ResponseBody

    public init(status: Status = .ok, headers: HTTPFields = HTTPFields(), body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func bytes(_ bytes: [UInt8], status: Status = .ok, contentType: String) -> Response {
        var headers = HTTPFields()
        headers.append("Content-Type", contentType)
        return Response(status: status, headers: headers, body: .bytes(bytes))
    }

    public static func text(_ text: String, status: Status = .ok) -> Response {
        bytes(Array(text.utf8), status: status, contentType: "text/plain; charset=utf-8")
    }
}

public enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    /// Sent with sendfile(2), never copied through user space.
    case file(FileBody)
    /// Sent with chunked transfer coding as the producer writes; Server-Sent Events ride on this.
    case stream(BodyStream)
}
