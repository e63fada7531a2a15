import Foundation
import QuarryTesting
import Testing

@Suite struct LimitTests {
    @Test func headLargerThanTheLimitIs431() throws {
        try withServer(["QUARRY_MAX_HEADER_BYTES": "2048"]) { server in
            let client = try server.client()
            try client.send(get("/healthz", headers: "X-Big: \(String(repeating: "a", count: 3000))\r\n"))
            let response = try client.readResponse()
            #expect(response.status == 431)
            #expect(client.waitForClose())
        }
    }

    @Test func tooManyHeaderFieldsIs431() throws {
        try withServer(["QUARRY_MAX_HEADER_COUNT": "10"]) { server in
            let client = try server.client()
            let many = (0..<11).map { "X-H\($0): v\r\n" }.joined()
            try client.send(get("/healthz", headers: many))
            #expect(try client.readResponse().status == 431)
        }
    }

    @Test func connectionsBeyondTheLimitGet503() throws {
        try withServer(["QUARRY_MAX_CONNECTIONS": "3"]) { server in
            let held = try (0..<3).map { _ in try server.client() }
            for client in held {
                try client.send(get("/healthz"))
                #expect(try client.readResponse().status == 200)
            }
            let refused = try server.client()
            let response = try refused.readResponse()
            #expect(response.status == 503)
            #expect(refused.waitForClose())
            // A freed slot is usable again.
            held[0].finishSending()
            #expect(held[0].waitForClose())
            var served = false
            for _ in 0..<50 where !served {
                let client = try server.client()
                try client.send(get("/healthz"))
                served = (try? client.readResponse().status) == 200
                if !served { usleep(20_000) }
            }
            #expect(served)
        }
    }

    @Test func aClientThatTricklesItsHeaderIsCutOffWhileOthersAreServed() throws {
        try withServer(["QUARRY_HEADER_TIMEOUT": "1"]) { server in
            let slow = try server.client(timeout: 5)
            try slow.send("GET /healthz HTTP/1.1\r\n")
            let started = Date()
            // Meanwhile other clients get answers promptly.
            for _ in 0..<10 {
                let client = try server.client()
                try client.send(get("/healthz"))
                #expect(try client.readResponse().status == 200)
            }
            try? slow.send("Host: local")
            let response = try slow.readResponse()
            #expect(response.status == 408)
            #expect(slow.waitForClose())
            let waited = Date().timeIntervalSince(started)
            #expect(waited >= 0.9 && waited < 3)
        }
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        try withServer(["QUARRY_IDLE_TIMEOUT": "1"]) { server in
            let client = try server.client(timeout: 5)
            try client.send(get("/healthz"))
            #expect(try client.readResponse().status == 200)
            let started = Date()
            #expect(client.waitForClose())
            #expect(Date().timeIntervalSince(started) >= 0.9)
        }
    }

    @Test func aSlowBodyIsCutOff() throws {
        try withServer(["QUARRY_BODY_TIMEOUT": "1"]) { server in
            let client = try server.client(timeout: 5)
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\nContent-Length: 20\r\n\r\n{\"na")
            #expect(try client.readResponse().status == 408)
            #expect(client.waitForClose())
        }
    }
}
