import QuarryTesting
import Testing

/// Each framing ambiguity a front proxy and Quarry could read differently is refused with 400
/// and the connection closed, so no second request can hide in the first one's body.
@Suite struct SmugglingTests {
    static let cases: [(String, String)] = [
        ("Content-Length with Transfer-Encoding",
         "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("differing duplicate Content-Length",
         "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"),
        ("differing Content-Length list",
         "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 5\r\n\r\nabcde"),
        ("malformed chunk size",
         "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(adminKey)\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
        ("overflowing chunk size",
         "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(adminKey)\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\nabc\r\n0\r\n\r\n"),
        ("obs-fold",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n"),
        ("bare CR in a header value",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n"),
        ("invalid header name",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nBad[Name]: v\r\n\r\n"),
        ("space before the colon",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n"),
        ("negative Content-Length",
         "POST /admin/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
    ]

    @Test(arguments: cases)
    func ambiguousFramingIsRefusedAndTheConnectionClosed(name: String, request: String) throws {
        try withServer { server in
            let client = try server.client()
            try client.send(request + get("/healthz"))
            let response = try client.readResponse()
            #expect(response.status == 400, "\(name)")
            #expect(response.header("connection") == "close", "\(name)")
            #expect(client.waitForClose(), "\(name)")
        }
    }

    /// A coding Quarry does not implement leaves the body's length unknown: RFC 9112 §6.1 answers 501, and
    /// nothing after it on the connection can be framed, so it closes.
    @Test func anUnimplementedTransferCodingIs501AndTheConnectionClosed() throws {
        try withServer { server in
            let client = try server.client()
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
                            + get("/healthz"))
            let response = try client.readResponse()
            #expect(response.status == 501)
            #expect(response.header("connection") == "close")
            #expect(client.waitForClose())
        }
    }
}
