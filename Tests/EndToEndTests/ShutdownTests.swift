import Foundation
import QuarryTesting
import Testing

@Suite struct ShutdownTests {
    @Test func sigtermLetsARequestInFlightFinishThenExitsCleanly() throws {
        let server = try ServerProcess(environment: ["QUARRY_ADMIN_KEY": adminKey])
        defer { server.stop() }
        let idle = try server.client()
        try idle.send(get("/healthz"))
        #expect(try idle.readResponse().status == 200)

        let busy = try server.client()
        let body = "{\"name\":\"late\"}"
        try busy.send("POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body.prefix(4))
        usleep(200_000)
        server.terminate()
        // Idle connections are closed at once; new ones are refused.
        #expect(idle.waitForClose())
        usleep(200_000)
        #expect(throws: (any Error).self) {
            let late = try server.client()
            try late.send(get("/healthz"))
            _ = try late.readResponse()
        }
        // The request in flight completes and is told the connection ends.
        try busy.send(String(body.dropFirst(4)))
        let response = try busy.readResponse()
        #expect(response.status == 201)
        #expect(response.header("connection") == "close")
        #expect(server.waitForExit() == 0)
        #expect(server.output.contains("stopped"))
    }
}
