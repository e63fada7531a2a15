/// Why an S3 request failed. `service` is the store's own answer, with the code S3 defines
/// (`SignatureDoesNotMatch`, `NoSuchKey`, `NoSuchBucket`, …) so callers can tell a wrong secret from a
/// missing object; the other cases never reached an answer, or got one that was not S3's.
public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// An HTTP error status with S3's XML error body, or, for a HEAD (which has no body), the status
    /// alone, its code then made from the status (`NotFound`, `Forbidden`, `HTTP 500`).
    case service(status: Int, code: String, message: String, requestID: String?)
    /// No answer: the connection failed, or the store stopped sending (the reason is curl's).
    case transport(reason: String)
    /// A limit of `S3Client.Timeouts` ran out.
    case timedOut(operation: String)
    /// A 2xx answer whose body or headers were not what the operation expects.
    case invalidResponse(String)
    /// The caller's request cannot be made (a bad endpoint, a part size S3 refuses, a local file that
    /// cannot be read).
    case invalidRequest(String)
    /// A body larger than the caller allowed to be held in memory.
    case tooLarge(limit: Int)

    public var code: String? {
        if case .service(_, let code, _, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .service(let status, let code, let message, let requestID):
            let id = requestID.map { ", request \($0)" } ?? ""
            return "S3 answered \(status) \(code): \(message.isEmpty ? "no message" : message)\(id)"
        case .transport(let reason):
            return "S3 could not be reached: \(reason)"
        case .timedOut(let operation):
            return "S3 \(operation) timed out"
        case .invalidResponse(let detail):
            return "S3 sent an unexpected answer: \(detail)"
        case .invalidRequest(let detail):
            return "S3 request refused before sending: \(detail)"
        case .tooLarge(let limit):
            return "S3 object is larger than the \(limit) bytes allowed in memory"
        }
    }

    /// The error an HTTP status and body stand for. S3 sends `<Error><Code>…</Code><Message>…</Message>`;
    /// anything else (a proxy's HTML page, an empty body) keeps the status so it is still clear.
    static func from(status: Int, body: [UInt8], requestID: String?) -> S3Error {
        if let root = S3XML.parse(body), root.name == "Error", let code = root.text("Code") {
            return .service(status: status, code: code, message: root.text("Message") ?? "",
                            requestID: root.text("RequestId") ?? requestID)
        }
        let code = switch status {
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        default: "HTTP \(status)"
        }
        return .service(status: status, code: code, message: "", requestID: requestID)
    }
}
