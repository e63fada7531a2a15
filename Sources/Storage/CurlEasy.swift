import CCurl

/// One libcurl easy handle with the settings every request Quarry makes shares: http and https only,
/// no proxy from the environment (it would carry the request, signed or vetted, somewhere else), no
/// netrc, no signals (transfers run on many threads at once), and curl's own message kept for errors.
/// Quarry's fetcher (user URLs, every socket vetted) and the S3 client (the configured store) each add
/// their callbacks and limits to it.
public final class CurlEasy {
    /// curl_global_init is not thread-safe, so it runs once, the first time a handle is made.
    private static let globalInit = quarry_curl_global_init()

    public let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The first option curl rejected; checked before the transfer runs rather than after every call.
    public private(set) var setupFailure = CURLE_OK

    /// Nil when curl cannot start (no memory, or its global set-up failed).
    public init?(url: String) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        set(CURLOPT_URL, url)
        set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_NOPROXY, "*")
        set(CURLOPT_NETRC, Int(CURL_NETRC_IGNORED.rawValue))
        set(CURLOPT_NOSIGNAL, 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    public func set(_ option: CURLoption, _ value: Int) { record(quarry_curl_setopt_long(handle, option, value)) }
    /// curl copies string options (all but POSTFIELDS, which is not set through here).
    public func set(_ option: CURLoption, _ value: String) { record(quarry_curl_setopt_string(handle, option, value)) }
    public func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer) { record(quarry_curl_setopt_pointer(handle, option, value)) }
    public func setLarge(_ option: CURLoption, _ value: Int) { record(quarry_curl_setopt_off_t(handle, option, curl_off_t(value))) }

    /// A callback option, set through one of the shim's typed setters: `set { quarry_curl_setopt_write($0, f) }`.
    public func set(_ setter: (UnsafeMutableRawPointer) -> CURLcode) { record(setter(handle)) }

    /// The request's header fields, "Name: value" each ("Name:" removes one curl would add).
    public func setHeaders(_ lines: [String]) {
        for line in lines { headerList = curl_slist_append(headerList, line) }
        record(quarry_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
    }

    public func perform() -> CURLcode { curl_easy_perform(handle) }

    /// curl's words for a failed transfer: its error buffer, else its name for the code.
    public func describe(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    public var responseCode: Int {
        var code = 0
        _ = quarry_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    public func info(_ item: CURLINFO) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard quarry_curl_getinfo_string(handle, item, &text) == CURLE_OK, let text else { return nil }
        return String(cString: text)
    }

    private func record(_ code: CURLcode) {
        if setupFailure == CURLE_OK { setupFailure = code }
    }
}
