/// Serialises a status line and header fields. The server owns the framing fields: whatever a
/// handler put in `Content-Length`, `Transfer-Encoding` or `Connection` is replaced, so a handler
/// cannot produce a response that desynchronises the connection.
enum ResponseHead {
    enum Framing {
        case length(Int)
        case chunked
        /// HTTP/1.0 streams: the body ends when the connection closes.
        case untilClose
        /// 1xx, 204 and 304 carry no body and no length.
        case none
    }

    private static let crlf: [UInt8] = [13, 10]

    static func encode(status: Status, headers: HTTPFields, framing: Framing, keepAlive: Bool,
                       version: RequestHead.Version, date: [UInt8], requestID: String, into out: inout [UInt8]) {
        out.append(contentsOf: version == .http1_0 ? "HTTP/1.0 ".utf8 : "HTTP/1.1 ".utf8)
        out.append(contentsOf: String(status.code).utf8)
        out.append(32)
        out.append(contentsOf: status.reason.utf8)
        out.append(contentsOf: crlf)
        for field in headers {
            switch field.canonicalName {
            case "content-length", "transfer-encoding", "connection", "date", "x-request-id": continue
            default: break
            }
            append(field.name, field.value, into: &out)
        }
        switch framing {
        case .length(let count): append("Content-Length", String(count), into: &out)
        case .chunked: append("Transfer-Encoding", "chunked", into: &out)
        case .untilClose, .none: break
        }
        if !keepAlive {
            append("Connection", "close", into: &out)
        } else if version == .http1_0 {
            append("Connection", "keep-alive", into: &out)
        }
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: date)
        out.append(contentsOf: crlf)
        append("X-Request-Id", requestID, into: &out)
        out.append(contentsOf: crlf)
    }

    private static func append(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(58)
        out.append(32)
        // A CR or LF in a value would let a handler's data inject header lines; drop them.
        for byte in value.utf8 where byte != 13 && byte != 10 { out.append(byte) }
        out.append(contentsOf: crlf)
    }
}
