/// Bounds on one fetch, so a slow or huge remote resource cannot hold a worker or fill the disk.
public struct FetchLimits: Sendable {
    public var maxBytes = 50 << 20
    public var connectTimeout: Duration = .seconds(10)
    /// The whole transfer, redirects included.
    public var totalTimeout: Duration = .seconds(60)
    public var maxRedirects = 5

    public init() {}
}

/// A downloaded file, owned by the caller from here on.
public struct FetchedFile: Sendable {
    public let path: String
    public let size: Int
    /// The Content-Type header as sent; a hint only, since the server decides by decoding.
    public let contentType: String?
    /// Where the redirects, if any, ended.
    public let finalURL: String
}

extension Duration {
    /// Whole milliseconds, at least 1, since curl reads 0 as "no timeout".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
