import CCurl
import Foundation

/// One libcurl easy handle configured for a user-given URL: http and https only, no proxy, no
/// netrc, bounded in time, and every socket vetted by the address policy before it is opened.
/// Letting curl resolve and then checking what it is about to connect to covers every spelling of
/// an address (`0x7f000001`, `2130706433`, `[::ffff:127.0.0.1]`, a name resolving to 10.x) and
/// every redirect hop, with no gap between the check and the connect.
final class CurlTransfer {
    let url: String
    let context: TransferContext
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The first option curl rejected; checked before the transfer runs rather than after every call.
    private var setupFailure = CURLE_OK

    /// curl_global_init is not thread-safe, so it runs once, the first time a transfer is made.
    private static let globalInit = quarry_curl_global_init()

    init(url: String, policy: AddressPolicy, limits: FetchLimits, userAgent: String, sink: TransferContext.Sink, limit: Int) throws(FetchError) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw .failed(url: url, reason: "the HTTP client could not be initialised")
        }
        self.url = url
        self.handle = handle
        context = TransferContext(policy: policy, sink: sink, limit: limit)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)

        set(CURLOPT_URL, url)
        set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // An environment proxy would make curl connect to the proxy and let it reach the target unchecked.
        set(CURLOPT_NOPROXY, "*")
        set(CURLOPT_NETRC, Int(CURL_NETRC_IGNORED.rawValue))
        // Signals are process-wide; transfers run on many threads at once.
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeout.curlMilliseconds)
        set(CURLOPT_TIMEOUT_MS, limits.totalTimeout.curlMilliseconds)
        set(CURLOPT_USERAGENT, userAgent)
        let user = Unmanaged.passUnretained(context).toOpaque()
        record(quarry_curl_setopt_opensocket(handle, openSocket))
        set(CURLOPT_OPENSOCKETDATA, user)
        record(quarry_curl_setopt_write(handle, writeBody))
        set(CURLOPT_WRITEDATA, user)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
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

    func set(_ option: CURLoption, _ value: Int) {
        record(quarry_curl_setopt_long(handle, option, value))
    }

    func set(_ option: CURLoption, _ value: String) {
        // curl copies string options (all but POSTFIELDS, which is not set through here).
        record(quarry_curl_setopt_string(handle, option, value))
    }

    func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer) {
        record(quarry_curl_setopt_pointer(handle, option, value))
    }

    func setLarge(_ option: CURLoption, _ value: Int) {
        record(quarry_curl_setopt_off_t(handle, option, curl_off_t(value)))
    }

    func setHeaders(_ lines: [String]) {
        for line in lines { headerList = curl_slist_append(headerList, line) }
        record(quarry_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
    }

    /// Runs the transfer; nil on success, otherwise the error to report. A refused address wins
    /// over whatever curl made of the socket it never got.
    func perform() -> FetchError? {
        guard setupFailure == CURLE_OK else { return .failed(url: url, reason: String(cString: curl_easy_strerror(setupFailure))) }
        let code = curl_easy_perform(handle)
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
            return .httpStatus(url: url, code: responseCode)
        case CURLE_UNSUPPORTED_PROTOCOL:
            // The given URL was checked to be http or https, so this was a redirect's target.
            return .failed(url: url, reason: "it redirects to a URL that is not http or https")
        case CURLE_URL_MALFORMAT:
            return .invalidURL(url)
        default:
            let detail = String(cString: errorBuffer)
            return .failed(url: url, reason: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
    }

    var responseCode: Int {
        var code = 0
        _ = quarry_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    func info(_ item: CURLINFO) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard quarry_curl_getinfo_string(handle, item, &text) == CURLE_OK, let text else { return nil }
        return String(cString: text)
    }

    private func record(_ code: CURLcode) {
        if setupFailure == CURLE_OK { setupFailure = code }
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
