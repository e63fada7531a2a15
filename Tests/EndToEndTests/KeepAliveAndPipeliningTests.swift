import Foundation
import QuarryTesting
import Testing

@Suite struct KeepAliveAndPipeliningTests {
    @Test func oneConnectionServesManyRequestsInTurn() throws {
        try withServer { server in
            let client = try server.client()
            for _ in 0..<5 {
                try client.send(get("/healthz"))
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "{\"status\":\"ok\"}")
                #expect(response.header("connection") == nil)
            }
        }
    }

    @Test func threePipelinedRequestsInOneWriteAreAnsweredInOrder() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(get("/healthz", headers: "X-Request-Id: first\r\n")
                + get("/nope", headers: "X-Request-Id: second\r\n")
                + get("/v1/health", headers: "X-Request-Id: third\r\n"))
            let responses = try (0..<3).map { _ in try client.readResponse() }
            #expect(responses.map(\.status) == [200, 404, 200])
            #expect(responses.map { $0.header("x-request-id") } == ["first", "second", "third"])
            #expect(responses[2].text == "{\"status\":\"UP\"}")
        }
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() throws {
        try withServer { server in
            let closing = try server.client()
            try closing.send("GET /healthz HTTP/1.0\r\n\r\n")
            #expect(try closing.readResponse().status == 200)
            #expect(closing.waitForClose())

            let keeping = try server.client()
            try keeping.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try keeping.readResponse()
            #expect(response.header("connection")?.lowercased() == "keep-alive")
            try keeping.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keeping.readResponse().status == 200)
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(get("/healthz", headers: "Connection: close\r\n"))
            let response = try client.readResponse()
            #expect(response.header("connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func headGetsTheHeadersOfGetWithoutABody() throws {
        try withServer { server in
            let client = try server.client()
            try client.send("HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let response = try client.readResponse(bodyExpected: false)
            #expect(response.status == 200)
            #expect(response.header("content-length") == "15")
            // The next response must start right away: no stray body bytes in between.
            try client.send(get("/healthz"))
            #expect(try client.readResponse().text == "{\"status\":\"ok\"}")
        }
    }

    @Test func everyResponseCarriesARequestIdAndIsLogged() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(get("/healthz?probe=1"))
            let response = try client.readResponse()
            let id = try #require(response.header("x-request-id"))
            #expect(!id.isEmpty)
            #expect(response.header("date") != nil)
            let deadline = Date().addingTimeInterval(3)
            while !server.output.contains(id) && Date() < deadline { usleep(20_000) }
            let line = try #require(server.output.split(separator: "\n").first { $0.contains(id) })
            #expect(line.contains("GET /healthz 200 15B"))
            #expect(line.contains("ms"))
        }
    }

    @Test func unknownRoutesAre404AndWrongMethodsAre405WithAllow() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(get("/no/such/thing"))
            let missing = try client.readResponse()
            #expect(missing.status == 404)
            #expect(try missing.json()["error"] != nil)

            try client.send("DELETE /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let wrongMethod = try client.readResponse()
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("allow") == "GET, HEAD")

            try client.send(get("/api/nothing-here"))
            let studio = try client.readResponse()
            #expect(studio.status == 404)
            let envelope = try studio.json()
            #expect(envelope["status"] as? String == "error")
            #expect((envelope["error"] as? [String: Any])?["code"] as? String == "NOT_FOUND")
        }
    }
}
