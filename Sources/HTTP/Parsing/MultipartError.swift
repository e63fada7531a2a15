/// Why a multipart/form-data body was refused.
public enum MultipartError: Error, Equatable, Sendable {
    /// The request's Content-Type is not multipart/form-data.
    case notMultipart
    /// The Content-Type has no usable `boundary` parameter (RFC 2046 §5.1.1: 1 to 70 characters).
    case missingBoundary
    case malformed(String)
    case tooManyParts(limit: Int)
    case partTooLarge(limit: Int)
    /// A part's header block exceeds the parser's `maxPartHeaderBytes`.
    case headerTooLarge

    /// The response status: 415 when the body is not multipart at all, 413 when a limit was
    /// exceeded, 400 for anything the client got wrong in the encoding.
    public var status: Status {
        switch self {
        case .notMultipart: .unsupportedMediaType
        case .missingBoundary, .malformed: .badRequest
        case .tooManyParts, .partTooLarge, .headerTooLarge: .contentTooLarge
        }
    }

    /// A sentence for the client, safe to echo: it never includes the body's bytes.
    public var reason: String {
        switch self {
        case .notMultipart: "Content-Type must be multipart/form-data"
        case .missingBoundary: "Content-Type has no valid boundary parameter"
        case .malformed(let detail): "Malformed multipart body: \(detail)"
        case .tooManyParts(let limit): "More than \(limit) parts in the multipart body"
        case .partTooLarge(let limit): "A multipart part is larger than \(limit) bytes"
        case .headerTooLarge: "A multipart part's header block is too large"
        }
    }
}
