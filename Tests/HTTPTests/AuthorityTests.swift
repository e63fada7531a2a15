import HTTP
import Testing

/// What may be pasted into a URL from a `Host`-like value: the table is the rule.
struct AuthorityTests {
    @Test(arguments: [
        ("quarry.example.com", "quarry.example.com"),
        ("Quarry.Example.COM:8443", "quarry.example.com:8443"),
        ("localhost", "localhost"),
        ("127.0.0.1:8080", "127.0.0.1:8080"),
        ("[::1]:8080", "[::1]:8080"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("my_host-1.internal:1", "my_host-1.internal:1"),
        ("a.b:65535", "a.b:65535"),
    ])
    func plainAuthoritiesPassWithTheirHostLowercased(text: String, expected: String) {
        #expect(Authority.validated(text) == expected)
    }

    @Test(arguments: [
        "", "evil.example/path", "evil.example?x=1", "evil.example#frag", "user@evil.example", "evil.example:80@other",
        "javascript:alert(1)", "https://evil.example", "evil.example:", "evil.example:65536", "evil.example:123456",
        "evil.example:8o", "evil example", "evil.example\r\nX: 1", "evil\u{0}.example", ".evil.example", "evil..example",
        "evil.example.", "[::1", "[::1]x", "[::1]:", "[not-v6]", "[::1%25eth0]", "\\\\evil", "évil.example", "a:1:2",
        String(repeating: "a", count: 254),
    ])
    func anythingElseIsRefused(text: String) {
        #expect(Authority.validated(text) == nil)
    }

    @Test func originsAreASchemeAndAnAuthorityAlone() {
        #expect(Authority.origin("https://App.Example.com") == "https://app.example.com")
        #expect(Authority.origin("HTTP://localhost:3000") == "http://localhost:3000")
        #expect(Authority.origin("http://[::1]:5173") == "http://[::1]:5173")
        for text in ["https://app.example.com/", "https://app.example.com/x", "ftp://app.example.com", "app.example.com", "*", "null",
                     "https://", "https://user@app.example.com"] {
            #expect(Authority.origin(text) == nil, "\(text)")
        }
    }

    /// The single-user mode's two checks, at start (`QUARRY_HOST`, bare) and per request (`Host`).
    @Test func loopbackNamesAreThisMachinesOnly() {
        for text in ["localhost", "LOCALHOST:8080", "127.0.0.1", "127.9.9.9:80", "::1", "[::1]", "[::1]:8080"] {
            #expect(Authority.isLoopback(text), "\(text)")
        }
        for text in ["0.0.0.0", "::", "127.0.0.1.evil.example", "evil.example:8080", "127.0.0.256", "128.0.0.1", "", "127.0.0.1/x"] {
            #expect(!Authority.isLoopback(text), "\(text)")
        }
    }
}
