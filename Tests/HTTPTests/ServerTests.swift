import Foundation
import HTTP
import QuarryTesting
import Synchronization
import Testing

@Suite struct ServerTests {
    @Test func smallBodiesStayInMemoryAndLargeOnesAreSpooledThenRemoved() throws {
        var limits = Limits()
        limits.bodyMemoryThreshold = 1024
        let server = try TestServer(limits: limits)
        defer { server.stop() }
        let client = try server.client()

        try client.send(post("/echo", body: "small"))
        let small = try client.readResponse()
        #expect(small.text == "small" && small.header("x-spooled") == nil)

        let big = String(repeating: "0123456789", count: 50_000)
        try client.send(post("/echo", body: big))
        let echoed = try client.readResponse()
        #expect(echoed.header("x-spooled") == "yes")
        #expect(echoed.text == big)
        // The spool file is removed once the response has been queued.
        #expect(server.spooledFiles.isEmpty)
    }

    @Test func theDefaultBodyLimitAndARoutesOwnLimitGive413() throws {
        var limits = Limits()
        limits.defaultMaxBodyBytes = 100
        let server = try TestServer(limits: limits) { router in
            router.post("/roomy", options: RouteOptions(maxBodyBytes: 1000)) { request in .text("\(request.body.count)") }
        }
        defer { server.stop() }
        let tooBig = try server.client()
        try tooBig.send(post("/echo", body: String(repeating: "x", count: 101)))
        #expect(try tooBig.readResponse().status == 413)

        let roomy = try server.client()
        try roomy.send(post("/roomy", body: String(repeating: "x", count: 500)))
        #expect(try roomy.readResponse().text == "500")
    }

    @Test func aSlowHandlerDoesNotStallOtherConnections() throws {
        let release = DispatchSemaphore(value: 0)
        let server = try TestServer { router in
            router.get("/slow") { _ in
                release.wait()
                return .text("slow done")
            }
            router.get("/fast") { _ in .text("fast") }
        }
        defer { server.stop() }
        let slow = try server.client()
        try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        for _ in 0..<20 {
            let fast = try server.client(timeout: 2)
            try fast.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try fast.readResponse().text == "fast")
        }
        release.signal()
        #expect(try slow.readResponse().text == "slow done")
    }

    @Test func fileBodiesAreSentWhole() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/payload.bin"
        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(payload).write(to: URL(fileURLWithPath: path))
        let server = try TestServer { router in
            router.get("/file") { _ in Response(body: .file(try FileBody(path: path))) }
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /file HTTP/1.1\r\nHost: t\r\n\r\nHEAD /file HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("content-length") == "3000000")
        #expect(response.body == payload)
        let head = try client.readResponse(bodyExpected: false)
        #expect(head.header("content-length") == "3000000")
    }

    @Test func eventStreamsDeliverEventsAsTheyAreSentAndEndCleanly() throws {
        let streams = Mutex<[SSEStream]>([])
        let server = try TestServer { router in
            router.get("/events") { _ in
                let stream = SSEStream()
                streams.withLock { $0.append(stream) }
                return stream.response
            }
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        var stream: SSEStream?
        for _ in 0..<200 where stream == nil {
            stream = streams.withLock { $0.first }
            usleep(5000)
        }
        let events = try #require(stream)
        events.send(event: "progress", data: "line one\nline two", id: "1")
        events.heartbeat()
        events.finish()
        let response = try client.readResponse()
        #expect(response.header("content-type") == "text/event-stream")
        #expect(response.header("transfer-encoding") == "chunked")
        #expect(response.text == "id: 1\nevent: progress\ndata: line one\ndata: line two\n\n: keep-alive\n\n")
        // The connection is reusable after the stream ends.
        try client.send(post("/echo", body: "after"))
        #expect(try client.readResponse().text == "after")
    }

    @Test func aStreamLearnsWhenItsClientGoesAway() throws {
        let gone = DispatchSemaphore(value: 0)
        let server = try TestServer { router in
            router.get("/events") { _ in
                let stream = SSEStream()
                stream.body.onTermination { gone.signal() }
                return stream.response
            }
        }
        defer { server.stop() }
        do {
            let client = try server.client()
            try client.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
            usleep(100_000)
        }
        #expect(gone.wait(timeout: .now() + 5) == .success)
    }

    @Test func aPulledStreamIsAskedForEachPartOnlyOnceTheLastWasSent() throws {
        let parts = (0..<40).map { index in [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: 64 * 1024) }
        let asks = Atomic<Int>(0)
        let server = try TestServer { router in
            router.get("/pulled") { _ in
                let body = BodyStream()
                body.onDemand { [weak body] in
                    let ask = asks.add(1, ordering: .relaxed).newValue
                    guard let body else { return }
                    DispatchQueue.global().async {
                        if ask < parts.count { body.write(parts[ask - 1]) } else { body.finish(parts[ask - 1]) }
                    }
                }
                return Response(body: .stream(body))
            }
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /pulled HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.body == parts.flatMap { $0 })
        // One ask per part: never again while a part was unsent, nor after the last came with the finish.
        #expect(asks.load(ordering: .relaxed) == parts.count)
    }

    @Test func anAbortedStreamClosesTheConnectionWithoutTheLastChunk() throws {
        let asks = Atomic<Int>(0)
        let server = try TestServer { router in
            router.get("/cut") { _ in
                let body = BodyStream()
                body.onDemand { [weak body] in
                    // The first ask gets a part, the second finds the producer broken.
                    let first = asks.add(1, ordering: .relaxed).newValue == 1
                    guard let body else { return }
                    DispatchQueue.global().async {
                        if first { body.write(Array("[1,".utf8)) } else { body.abort() }
                    }
                }
                return Response(body: .stream(body))
            }
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n")
        let received = String(decoding: try client.readToEnd(), as: UTF8.self)
        #expect(received.hasPrefix("HTTP/1.1 200") && received.hasSuffix("3\r\n[1,\r\n"))
    }

    @Test func aThrowingHandlerGetsA500WithTheRequestId() throws {
        struct Boom: Error {}
        let server = try TestServer { router in
            router.get("/boom") { _ in throw Boom() }
        }
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /boom HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-me\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 500)
        #expect(response.text.contains("trace-me"))
        #expect(!response.text.contains("Boom"))
    }

    @Test func bytesDrippedOneAtATimeStillMakeARequest() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        for byte in post("/echo", body: "drip").utf8 {
            try client.send([byte])
        }
        #expect(try client.readResponse().text == "drip")
    }

    @Test func aHalfClosedClientStillGetsItsAnswerThenTheConnectionCloses() throws {
        let server = try TestServer { router in
            router.get("/inline", options: RouteOptions(runsInline: true)) { _ in .text("inline") }
            router.get("/pooled") { _ in
                usleep(50_000)
                return .text("pooled")
            }
        }
        defer { server.stop() }
        for path in ["/inline", "/pooled"] {
            let client = try server.client()
            try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            client.finishSending()
            let response = try client.readResponse()
            #expect(response.text == String(path.dropFirst()))
            #expect(client.waitForClose())
        }
    }

    @Test func aClientThatPipelinesFarAheadOfItsReadsGetsEveryAnswerInOrder() throws {
        let server = try TestServer { router in
            router.get("/n/{n}", options: RouteOptions(runsInline: true)) { request in .text(request.parameter("n") ?? "") }
        }
        defer { server.stop() }
        let client = try server.client(timeout: 20)
        let count = 20_000
        let requests = (0..<count).map { "GET /n/\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined()
        let sent = DispatchSemaphore(value: 0)
        let sender = client
        Thread.detachNewThread {
            try? sender.send(requests)
            sent.signal()
        }
        // Let the server fill its output backlog and stop reading before we start.
        usleep(300_000)
        for index in 0..<count {
            let response = try client.readResponse()
            guard response.text == String(index) else {
                Issue.record("response \(index) was \(response.text)")
                return
            }
        }
        #expect(sent.wait(timeout: .now() + 10) == .success)
    }

    @Test func shutdownClosesIdleConnectionsAndStopsAccepting() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send(post("/echo", body: "x"))
        _ = try client.readResponse()
        server.stop()
        #expect(client.waitForClose())
        #expect(throws: (any Error).self) { _ = try server.client() }
    }
}
