/// Why a fetch failed. Every description names the URL and is meant for the client that gave it,
/// so it says what happened without echoing anything the server learned beyond that.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not an absolute http or https URL, or one carrying credentials.
    case invalidURL(String)
    /// The URL, or a redirect it led to, resolved to an address the policy refuses; nothing was sent there.
    case addressRefused(url: String, address: String)
    case tooLarge(url: String, limit: Int)
    case timedOut(url: String)
    /// The final response was not 2xx.
    case httpStatus(url: String, code: Int)
    /// Name resolution, connection, TLS or I/O failed; `reason` is curl's message.
    case failed(url: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            "\(url) is not an http or https URL this server can fetch"
        case .addressRefused(let url, let address):
            "\(url) leads to \(address), which is not a public address, so the server will not fetch it"
        case .tooLarge(let url, let limit):
            "\(url) is larger than the limit of \(limit) bytes"
        case .timedOut(let url):
            "\(url) took too long to respond"
        case .httpStatus(let url, let code):
            "\(url) answered with HTTP status \(code)"
        case .failed(let url, let reason):
            "\(url) could not be fetched: \(reason)"
        }
    }
}
