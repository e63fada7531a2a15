import CCurl
import Foundation
import Storage

/// One libcurl easy handle configured for a user-given URL: http and https only, no proxy, no
/// netrc, bounded in time, and every socket vetted by the address policy before it is opened.
/// Letting curl resolve and then checking what it is about to connect to covers every spelling of
/// an address (`0x7f000001`, `2130706433`, `[::ffff:127.0.0.1]`, a name resolving to 10.x) and
/// every redirect hop, with no gap between the check and the connect.
final class CurlTransfer {
    let url: String
    let context: TransferContext
    let easy: CurlEasy

    init(url: String, policy: AddressPolicy, limits: FetchLimits, userAgent: String, sink: TransferContext.Sink, limit: Int) throws(FetchError) {
        guard let easy = CurlEasy(url: url) else { throw .failed(url: url, reason: "the HTTP client could not be initialised") }
        self.url = url
        self.easy = easy
        context = TransferContext(policy: policy, sink: sink, limit: limit)
        easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeout.curlMilliseconds)
        easy.set(CURLOPT_TIMEOUT_MS, limits.totalTimeout.curlMilliseconds)
        easy.set(CURLOPT_USERAGENT, userAgent)
        let user = Unmanaged.passUnretained(context).toOpaque()
        easy.set { quarry_curl_setopt_opensocket($0, openSocket) }
        easy.set(CURLOPT_OPENSOCKETDATA, user)
        easy.set { quarry_curl_setopt_write($0, writeBody) }
        easy.set(CURLOPT_WRITEDATA, user)
    }

    /// An absolute http or https URL that curl parses, without user or password: credentials
    /// would be sent to whichever host a redirect picks.
    static func isFetchable(_ url: String) -> Bool {
        guard let parsed = curl_url() else { return false }
        defer { curl_url_cleanup(parsed) }
        guard curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK else { return false }
        func part(_ which: CURLUPart) -> String? {
            var text: UnsafeMutablePointer<CChar>?
            guard curl_url_get(parsed, which, &text, 0) == CURLUE_OK, let text else { return nil }
            defer { curl_free(text) }
            return String(cString: text)
        }
        guard let scheme = part(CURLUPART_SCHEME)?.lowercased(), scheme == "http" || scheme == "https" else { return false }
        return part(CURLUPART_USER) == nil && part(CURLUPART_PASSWORD) == nil
    }

    /// Runs the transfer; nil on success, otherwise the error to report. A refused address wins
    /// over whatever curl made of the socket it never got.
    func perform() -> FetchError? {
        guard easy.setupFailure == CURLE_OK else { return .failed(url: url, reason: String(cString: curl_easy_strerror(easy.setupFailure))) }
        let code = easy.perform()
        if let refused = context.refusedAddress { return .addressRefused(url: url, address: refused) }
        switch code {
        case CURLE_OK:
            return nil
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(url: url)
        case CURLE_FILESIZE_EXCEEDED:
            return .tooLarge(url: url, limit: context.limit)
        case CURLE_WRITE_ERROR where context.reachedLimit:
            return context.sink == .capture ? nil : .tooLarge(url: url, limit: context.limit)
        case CURLE_HTTP_RETURNED_ERROR:
            return .httpStatus(url: url, code: easy.responseCode)
        case CURLE_UNSUPPORTED_PROTOCOL:
            // The given URL was checked to be http or https, so this was a redirect's target.
            return .failed(url: url, reason: "it redirects to a URL that is not http or https")
        case CURLE_URL_MALFORMAT:
            return .invalidURL(url)
        default:
            return .failed(url: url, reason: easy.describe(code))
        }
    }
}

/// CURLOPT_OPENSOCKETFUNCTION: called for every address of every hop just before curl connects.
/// Refusing here (CURL_SOCKET_BAD) means no packet ever leaves for a refused address.
private func openSocket(_ user: UnsafeMutableRawPointer?, _ purpose: curlsocktype, _ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
    guard let user, let address else { return CURL_SOCKET_BAD }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    // curl's struct ends in a `struct sockaddr` that is really as long as `addrlen` says.
    let socketAddress = UnsafeRawPointer(address) + MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
    guard purpose == CURLSOCKTYPE_IPCXN,
          let ip = IPAddress(socketAddress: socketAddress, length: Int(address.pointee.addrlen)) else {
        context.refusedAddress = "a non-IP socket"
        return CURL_SOCKET_BAD
    }
    guard context.policy.allows(ip) else {
        context.refusedAddress = ip.description
        return CURL_SOCKET_BAD
    }
    return socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
}

/// CURLOPT_WRITEFUNCTION: returning less than was offered makes curl stop with CURLE_WRITE_ERROR.
private func writeBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    return context.write(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}
