import HTTP
import QuarryTesting

/// The outside web a HITL client points Quarry at, on loopback in this process: the files its URLs
/// name (`GET /files/{name}`) and a webhook receiver (`POST /hooks`) that accepts every delivery.
/// Quarry reaches it only because the scenario servers allow exactly this address (127.0.0.1/32).
final class FileSite: Sendable {
    let server: Server
    let port: Int
    private let spool: TemporaryDirectory

    /// What `/files/{name}` serves: an instructions PDF, a job image, and a file whose bytes are not
    /// the kind its name says.
    static let files: [String: (bytes: [UInt8], type: String)] = [
        "instructions.pdf": (Fixtures.pdf, "application/pdf"),
        "frame.png": (Fixtures.png(width: 16, height: 12, rgb: [40, 160, 90]), "image/png"),
        "disguised.png": (Fixtures.pdf, "image/png"),
    ]

    init() throws {
        spool = try TemporaryDirectory("quarry-site")
        var router = Router()
        router.get("/files/{name}") { request in
            guard let file = Self.files[request.parameter("name") ?? ""] else { return .text("missing", status: .notFound) }
            return .bytes(file.bytes, contentType: file.type)
        }
        router.post("/hooks") { _ in .text("received") }
        server = Server(router: router, spoolDirectory: spool.path, accessLog: false, eventLoops: 1)
        port = try server.start(host: "127.0.0.1", port: 0)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        server.shutdown()
        spool.remove()
    }
}
