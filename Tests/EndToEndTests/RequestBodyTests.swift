import Foundation
import QuarryTesting
import Testing

@Suite struct RequestBodyTests {
    @Test func chunkedBodyIsAccepted() throws {
        try withServer { server in
            let client = try server.client()
            let json = "{\"name\":\"chunky\"}"
            let first = String(json.prefix(5)), rest = String(json.dropFirst(5))
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "\(String(first.utf8.count, radix: 16))\r\n\(first)\r\n"
                + "\(String(rest.utf8.count, radix: 16));ext=1\r\n\(rest)\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 201)
            #expect(((try response.json())["account"] as? [String: Any])?["name"] as? String == "chunky")
        }
    }

    @Test func expectContinueGetsA100BeforeTheBodyIsSent() throws {
        try withServer { server in
            let client = try server.client()
            let body = "{\"name\":\"patient\"}"
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\n"
                + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send(body)
            #expect(try client.readResponse().status == 201)
        }
    }

    @Test func expectContinueWithATooLargeBodyGetsA413Instead() throws {
        try withServer { server in
            let client = try server.client()
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\n"
                + "Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func bodyOverTheRouteLimitIs413EvenWhenChunked() throws {
        try withServer { server in
            let client = try server.client()
            // POST /admin/accounts takes at most 64 KiB.
            let chunk = String(repeating: "x", count: 40_000)
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
            try client.send("\(String(chunk.utf8.count, radix: 16))\r\n\(chunk)\r\n")
            try? client.send("\(String(chunk.utf8.count, radix: 16))\r\n\(chunk)\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(client.waitForClose())
        }
    }
}
