import Dispatch
import Foundation
import QuarryTesting
import Synchronization
import Testing

@Suite struct ConcurrencyTests {
    @Test func aThousandConnectionsAreOpenAndServedAtOnce() throws {
        try withServer { server in
            // All connections are opened first and held, so the server really holds 1,000 at once.
            let clients = try (0..<1000).map { _ in try server.client(timeout: 20) }
            for client in clients { try client.send(get("/healthz")) }
            let ok = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 8) { slice in
                for index in stride(from: slice, to: clients.count, by: 8) {
                    if (try? clients[index].readResponse().status) == 200 { ok.add(1, ordering: .relaxed) }
                }
            }
            #expect(ok.load(ordering: .relaxed) == 1000)
            // And each is still usable for a second request.
            try clients[999].send(get("/v1/health"))
            #expect(try clients[999].readResponse().status == 200)
        }
    }
}

