/// Why a request head or a chunked body was refused: one case per rule the parsers enforce, so a
/// test can pin the exact rule and a log line can name it. Every case maps to the status the
/// server answers with; after any of them the connection is closed, because the parser can no
/// longer tell where the next request starts.
public enum ParseError: Error, Equatable, Sendable {
    // Line structure (RFC 9112 §2.2).
    case bareCR
    case bareLF
    case nulByte
    case tooManyLeadingEmptyLines

    // Request line (RFC 9112 §3).
    case invalidMethod
    case invalidRequestLine
    case invalidTarget
    case invalidVersion
    case unsupportedVersion
    case requestLineTooLong

    // Header fields (RFC 9112 §5, RFC 9110 §5).
    case invalidHeaderName
    case whitespaceBeforeColon
    case invalidHeaderValue
    case obsoleteLineFolding
    case tooManyHeaders
    case headTooLarge
    case missingHost
    case multipleHosts

    // Message body framing (RFC 9112 §6).
    case contentLengthWithTransferEncoding
    case transferEncodingOnHTTP10
    case invalidTransferEncoding
    case unsupportedTransferCoding
    case invalidContentLength
    case conflictingContentLength
    case unsupportedExpectation

    // Chunked transfer coding (RFC 9112 §7.1).
    case invalidChunkSize
    case chunkSizeOverflow
    case invalidChunkExtension
    case chunkLineTooLong
    case missingChunkDataCRLF
    case trailerTooLarge

    public var status: Status {
        switch self {
        case .tooManyHeaders, .headTooLarge: .headerFieldsTooLarge
        case .requestLineTooLong: .uriTooLong
        case .unsupportedVersion: .versionNotSupported
        case .unsupportedTransferCoding: .notImplemented
        case .unsupportedExpectation: .expectationFailed
        default: .badRequest
        }
    }

    /// Short text for the response body: it names the rule, never echoes the client's bytes.
    public var reason: String {
        switch self {
        case .bareCR: "CR not followed by LF"
        case .bareLF: "line ends in LF without CR"
        case .nulByte: "NUL byte in message"
        case .tooManyLeadingEmptyLines: "too many empty lines before the request line"
        case .invalidMethod: "invalid method"
        case .invalidRequestLine: "malformed request line"
        case .invalidTarget: "invalid request target"
        case .invalidVersion: "malformed HTTP version"
        case .unsupportedVersion: "HTTP version not supported"
        case .requestLineTooLong: "request line too long"
        case .invalidHeaderName: "invalid header field name"
        case .whitespaceBeforeColon: "whitespace between header field name and colon"
        case .invalidHeaderValue: "invalid character in header field value"
        case .obsoleteLineFolding: "obsolete line folding is not accepted"
        case .tooManyHeaders: "too many header fields"
        case .headTooLarge: "request head too large"
        case .missingHost: "missing Host header field"
        case .multipleHosts: "more than one Host header field"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .transferEncodingOnHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
        case .invalidTransferEncoding: "malformed Transfer-Encoding"
        case .unsupportedTransferCoding: "unsupported transfer coding"
        case .invalidContentLength: "invalid Content-Length"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .unsupportedExpectation: "unsupported expectation"
        case .invalidChunkSize: "invalid chunk size"
        case .chunkSizeOverflow: "chunk size too large"
        case .invalidChunkExtension: "invalid chunk extension"
        case .chunkLineTooLong: "chunk size line too long"
        case .missingChunkDataCRLF: "chunk data not followed by CRLF"
        case .trailerTooLarge: "trailer section too large"
        }
    }
}
