import CCurl
import Crypto
import Foundation

/// The one way Quarry fetches a URL a user gave it: image imports by URL and webhook deliveries.
/// Every connection, redirects included, goes only where `policy` allows (see `CurlTransfer`).
/// Calls block their thread; run them off the event loop.
public struct Fetcher: Sendable {
    public let policy: AddressPolicy
    public let limits: FetchLimits
    public let userAgent: String

    /// Enough of a webhook receiver's answer to show in a delivery log.
    static let postResponseLimit = 4096

    public init(policy: AddressPolicy, limits: FetchLimits = FetchLimits(), userAgent: String = "Quarry") {
        self.policy = policy
        self.limits = limits
        self.userAgent = userAgent
    }

    /// GETs `url`, following up to `limits.maxRedirects` redirects, streaming the body into a new
    /// file in `directory` (random name, created exclusively, mode 0600). On any error the
    /// partial file is removed; on success the caller owns it.
    public func download(_ url: String, into directory: String) throws(FetchError) -> FetchedFile {
        guard CurlTransfer.isFetchable(url) else { throw .invalidURL(url) }
        let path = directory + "/fetch-" + SecureRandom.hex(bytes: 16)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            // The directory is the server's business; the client hears only that storing failed.
            throw .failed(url: url, reason: "the server could not store the download (\(String(cString: strerror(errno))))")
        }
        var kept = false
        defer {
            close(descriptor)
            if !kept { unlink(path) }
        }
        let transfer = try CurlTransfer(url: url, policy: policy, limits: limits, userAgent: userAgent,
                                        sink: .file(descriptor), limit: limits.maxBytes)
        transfer.easy.set(CURLOPT_FOLLOWLOCATION, 1)
        transfer.easy.set(CURLOPT_MAXREDIRS, limits.maxRedirects)
        // Stops at a 4xx/5xx head, before an error page is written to the file.
        transfer.easy.set(CURLOPT_FAILONERROR, 1)
        transfer.easy.setLarge(CURLOPT_MAXFILESIZE_LARGE, limits.maxBytes)
        if let error = transfer.perform() { throw error }
        // A 3xx without a Location, or a 1xx curl gave up on, is not a file either.
        let status = transfer.easy.responseCode
        guard (200 ..< 300).contains(status) else { throw .httpStatus(url: url, code: status) }
        kept = true
        return FetchedFile(path: path, size: transfer.context.received,
                           contentType: transfer.easy.info(CURLINFO_CONTENT_TYPE),
                           finalURL: transfer.easy.info(CURLINFO_EFFECTIVE_URL) ?? url)
    }

    /// POSTs `body` with `headers`, for webhooks. Redirects are not followed: a receiver that moved
    /// must be reconfigured, not chased. Returns the status, whatever it is, and at most the first
    /// 4 KiB of the response body (as UTF-8, invalid bytes replaced); throws only when no response came.
    public func post(_ url: String, headers: [(String, String)], body: [UInt8]) throws(FetchError) -> (status: Int, body: String) {
        guard CurlTransfer.isFetchable(url) else { throw .invalidURL(url) }
        for (name, value) in headers where !Self.isSafeHeader(name: name, value: value) {
            throw .failed(url: url, reason: "the header \(name.debugDescription) is not a valid HTTP header")
        }
        let transfer = try CurlTransfer(url: url, policy: policy, limits: limits, userAgent: userAgent,
                                        sink: .capture, limit: Self.postResponseLimit)
        transfer.easy.set(CURLOPT_FOLLOWLOCATION, 0)
        transfer.easy.set(CURLOPT_POST, 1)
        // An empty "Expect:" stops curl waiting up to a second for "100 Continue" on larger bodies.
        transfer.easy.setHeaders(headers.map { "\($0.0): \($0.1)" } + ["Expect:"])
        transfer.easy.setLarge(CURLOPT_POSTFIELDSIZE_LARGE, body.count)
        // COPYPOSTFIELDS copies, so the buffer need only live for this call; never an empty buffer,
        // whose base address may be nil.
        (body.isEmpty ? [0] : body).withUnsafeBytes { bytes in
            transfer.easy.set(CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!))
        }
        if let error = transfer.perform() { throw error }
        return (transfer.easy.responseCode, String(decoding: transfer.context.captured, as: UTF8.self))
    }

    /// A header a caller builds from configuration must not smuggle extra lines into the request.
    static func isSafeHeader(name: String, value: String) -> Bool {
        let token = name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ":") }
        let text = value.utf8.allSatisfy { $0 != 0x0d && $0 != 0x0a && $0 != 0 }
        return !name.isEmpty && token && text
    }
}
