@testable import API
import HTTP
import Quarry
import Testing

/// The rule every absolute URL is built by, as a table: the setting, the peer, and what the request says.
struct PublicURLsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var publicURL: String?
        var trusted = ""
        var peer = "198.51.100.7"
        var fields: [(String, String)] = []
        var local: String? = "192.0.2.10:8080"
        let expected: String
        var testDescription: String { "\(fields) from \(peer) → \(expected)" }
    }

    private static let proxy = "10.0.0.2"
    private static let forwarded = [("Host", "10.0.0.5:8080"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "quarry.example.com")]

    @Test(arguments: [
        // The public URL wins over anything a request says.
        Case(publicURL: "https://quarry.example.com/q", trusted: proxy, peer: proxy, fields: forwarded, expected: "https://quarry.example.com/q"),
        Case(publicURL: "https://quarry.example.com", fields: [("Host", "evil.example")], expected: "https://quarry.example.com"),
        // Else the Host the client used.
        Case(fields: [("Host", "Quarry.Lan:8080")], expected: "http://quarry.lan:8080"),
        Case(fields: [("Host", "[::1]:9000")], expected: "http://[::1]:9000"),
        // Forwarded fields count only from a trusted peer, by address or block, IPv4 also when mapped.
        Case(trusted: proxy, peer: proxy, fields: forwarded, expected: "https://quarry.example.com"),
        Case(trusted: "10.0.0.0/8, fd00::/8", peer: "::ffff:10.9.8.7", fields: forwarded, expected: "https://quarry.example.com"),
        Case(trusted: "fd00::/8", peer: "fd00::1", fields: forwarded, expected: "https://quarry.example.com"),
        Case(peer: proxy, fields: forwarded, expected: "http://10.0.0.5:8080"),
        Case(trusted: "10.0.0.0/24", peer: "10.0.1.2", fields: forwarded, expected: "http://10.0.0.5:8080"),
        Case(trusted: proxy, peer: "unknown", fields: forwarded, expected: "http://10.0.0.5:8080"),
        // One of the two alone; the nearest proxy's value (the last) of a list.
        Case(trusted: proxy, peer: proxy, fields: [("Host", "internal:8080"), ("X-Forwarded-Proto", "HTTPS")], expected: "https://internal:8080"),
        Case(trusted: proxy, peer: proxy, fields: [("Host", "internal"), ("X-Forwarded-Host", "evil.example, quarry.example.com")],
             expected: "http://quarry.example.com"),
        Case(trusted: proxy, peer: proxy, fields: [("Host", "internal"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Proto", "http")],
             expected: "http://internal"),
        // A forwarded value that is not plain is ignored, not pasted.
        Case(trusted: proxy, peer: proxy, fields: [("Host", "internal"), ("X-Forwarded-Proto", "javascript")], expected: "http://internal"),
        Case(trusted: proxy, peer: proxy, fields: [("Host", "internal"), ("X-Forwarded-Host", "evil.example/x?")], expected: "http://internal"),
        // A missing or malformed Host gives way to the address the connection arrived at.
        Case(expected: "http://192.0.2.10:8080"),
        Case(fields: [("Host", "evil.example/phish?x=")], expected: "http://192.0.2.10:8080"),
        Case(fields: [("Host", "user@evil.example")], expected: "http://192.0.2.10:8080"),
        Case(fields: [("Host", "evil.example:8080#")], expected: "http://192.0.2.10:8080"),
        Case(fields: [("Host", "")], local: nil, expected: "http://localhost"),
    ])
    func theBaseComesFromTheSettingThenTheRequest(_ test: Case) throws {
        let urls = PublicURLs(publicURL: test.publicURL, trustedProxies: test.trusted.isEmpty ? [] : try AddressBlock.list(parsing: test.trusted))
        let head = RequestHead(method: .get, target: "/", version: .http1_1, headers: HTTPFields(test.fields), keepAlive: true,
                               expectsContinue: false)
        let request = Request(head: head, body: .empty, requestID: "t", remoteAddress: test.peer, localAddress: test.local)
        #expect(urls.base(of: request) == test.expected)
    }

    @Test(arguments: [
        ("https://quarry.example.com", "https://quarry.example.com"),
        ("HTTPS://Quarry.Example.com/", "https://quarry.example.com"),
        ("http://10.0.0.5:8080/quarry//", "http://10.0.0.5:8080/quarry"),
        ("http://[::1]:8080/a/b-c_d.e~f", "http://[::1]:8080/a/b-c_d.e~f"),
    ])
    func thePublicURLIsCheckedAndNormalized(text: String, expected: String) throws {
        #expect(try PublicURLs.checked(publicURL: text) == expected)
    }

    @Test(arguments: ["quarry.example.com", "ftp://quarry.example.com", "https://", "https://user@quarry.example.com",
                      "https://quarry.example.com?x=1", "https://quarry.example.com/#x", "https://quarry.example.com/a b",
                      "https://quarry.example.com/a//b", "https://quarry.example.com/%2e", "javascript:alert(1)"])
    func otherPublicURLsAreRefused(text: String) {
        #expect(throws: PublicURLs.Invalid.self) { try PublicURLs.checked(publicURL: text) }
    }
}
