import HTTP

/// The Studio's single-user mode (`QUARRY_STUDIO_ACCOUNT`): which requests without credentials may act
/// as the workstation's account. Not one a browser says another site sent (a page the user visits must
/// not drive the Studio: no CORS preflight guards a simple POST), and, while the server is meant for this
/// machine only, not one whose `Host` is not a loopback name (a DNS-rebinding page reaches 127.0.0.1
/// under its own name).
struct AnonymousStudio: Sendable {
    let accountID: String
    let loopbackOnly: Bool

    func accountID(for request: Request) -> String? {
        let host = request.headers["host"] ?? ""
        if loopbackOnly && !Authority.isLoopback(host) { return nil }
        if let site = request.headers["sec-fetch-site"], site != "same-origin", site != "none" { return nil }
        if let origin = request.headers["origin"], !Self.origin(origin, isSameAs: host) { return nil }
        return accountID
    }

    /// Whether an `Origin` (`http://host:port`) names the host the request was sent to.
    static func origin(_ origin: String, isSameAs host: String) -> Bool {
        guard let origin = Authority.origin(origin), let host = Authority.validated(host) else { return false }
        return origin.hasSuffix("://" + host)
    }
}
