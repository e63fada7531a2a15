import Foundation
import HTTP
import QuarryTesting

/// An in-process server over real sockets with routes made for exercising the HTTP layer itself.
final class TestServer {
    let server: Server
    let port: Int
    let spool: TemporaryDirectory

    init(limits: Limits = Limits(), routes: (inout Router) -> Void = { _ in }) throws {
        spool = try TemporaryDirectory("quarry-http")
        var router = Router()
        router.post("/echo") { request in
            switch request.body {
            case .empty: return .bytes([], contentType: "application/octet-stream")
            case .bytes(let bytes): return .bytes(bytes, contentType: "application/octet-stream")
            case .file(let file):
                var response = Response(body: .file(try FileBody(path: file.path)))
                response.headers.append("X-Spooled", "yes")
                return response
            }
        }
        routes(&router)
        server = Server(router: router, limits: limits, spoolDirectory: spool.path, accessLog: false, eventLoops: 2)
        port = try server.start(host: "127.0.0.1", port: 0)
    }

    func client(timeout: Double = 10) throws -> RawClient {
        try RawClient(port: port, timeout: timeout)
    }

    /// Files left in the spool directory (should be none once requests are done).
    var spooledFiles: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []
    }

    func stop() {
        server.shutdown()
        spool.remove()
    }
}

func post(_ path: String, body: String, headers: String = "") -> String {
    "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
}

