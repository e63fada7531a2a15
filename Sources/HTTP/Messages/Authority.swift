import Glibc

/// A URL's `host[:port]` as Quarry accepts it from a client (`Host`, `X-Forwarded-Host`) or a setting
/// (`QUARRY_PUBLIC_URL`, `QUARRY_CORS_ORIGINS`). Narrower than RFC 3986's authority on purpose: a DNS
/// name (letters, digits, `-`, `_` and dots between non-empty labels), a dotted IPv4 address or a
/// bracketed IPv6 one, and a decimal port. A value that passes can be pasted after `scheme://` and
/// before a path without changing what the URL means: no `/`, `@`, `?`, `#`, spaces or control bytes.
public enum Authority {
    /// The authority with its host lowercased, or nil when `text` is not one.
    public static func validated(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 270 else { return nil }
        let host: Substring
        var port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), isIPv6(text[text.index(after: text.startIndex)..<close]) else { return nil }
            host = text[...close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { return nil }
                port = rest.dropFirst()
            }
        } else {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
            guard isName(host) else { return nil }
        }
        if let port {
            guard (1...5).contains(port.utf8.count), port.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let number = Int(port), number <= 65535 else { return nil }
        }
        return host.lowercased() + (port.map { ":\($0)" } ?? "")
    }

    /// A browser's serialized origin, `http(s)://authority` with nothing after it, lowercased; nil otherwise.
    public static func origin(_ text: String) -> String? {
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            return validated(String(text.dropFirst(scheme.count))).map { scheme + $0 }
        }
        return nil
    }

    /// Whether an authority (or a bare host, as `QUARRY_HOST` is written) names this machine's loopback:
    /// `localhost`, `127.x.x.x` or `::1`, with any port.
    public static func isLoopback(_ text: String) -> Bool {
        let bare = text.contains("[") ? text : (text.filter { $0 == ":" }.count > 1 ? "[\(text)]" : text)
        guard let authority = validated(bare) else { return false }
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }.dropFirst()) : String(authority.prefix { $0 != ":" })
        let octets = host.split(separator: ".")
        return host == "localhost" || host == "::1" || octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    private static func isName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.allSatisfy { byte in
                (0x61...0x7a).contains(byte | 0x20) || (0x30...0x39).contains(byte) || byte == 0x2d || byte == 0x5f
            }
        }
    }

    private static func isIPv6(_ text: Substring) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, String(text), &address) == 1
    }
}
