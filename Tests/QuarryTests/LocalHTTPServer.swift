import Foundation
import Quarry

/// A throwaway HTTP server in a python3 subprocess, bound to `host` on an ephemeral port, so the
/// fetcher is tested against real sockets. It counts the requests it serves, which is how a test
/// proves a refused fetch never reached it. It also serves files a test puts there (`/files/NAME`)
/// and records what is posted to `/hook`, answering each with the next of the statuses a test set.
final class LocalHTTPServer {
    let host: String
    let port: Int
    private let process: Process

    struct StartFailure: Error {}

    /// The body of `/file`: every byte value, 40 times over.
    static let fileBytes = [UInt8]((0 ..< 10_240).map { UInt8($0 % 256) })

    private static let script = #"""
    import base64, http.server, json, sys, threading, time, urllib.parse
    count = 0
    lock = threading.Lock()
    files = {}
    hooks = []
    answers = []
    arrived = threading.Condition(lock)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body, content_type="text/plain", headers=()):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def counted(self):
            global count
            with lock:
                count += 1

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            self.counted()
            if url.path == "/file":
                self.reply(200, bytes(range(256)) * 40, "image/png")
            elif url.path == "/large":
                self.reply(200, b"x" * 100000, "application/octet-stream")
            elif url.path == "/unannounced":
                # No Content-Length: the body ends when the connection closes.
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"y" * 100000)
                self.close_connection = True
            elif url.path == "/slow":
                time.sleep(5)
                self.reply(200, b"late")
            elif url.path.startswith("/files/") and url.path[7:] in files:
                self.reply(200, files[url.path[7:]], "application/octet-stream")
            elif url.path == "/redirect":
                target = urllib.parse.parse_qs(url.query)["to"][0]
                self.reply(302, b"", headers=[("Location", target)])
            else:
                self.reply(404, b"missing")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/count":
                return self.reply(200, str(count).encode())
            if self.path.startswith("/put/"):
                files[self.path[5:]] = body
                return self.reply(200, b"")
            if self.path == "/answers":
                with lock:
                    answers[:] = [int(code) for code in body.split()]
                return self.reply(200, b"")
            if self.path == "/hooks":
                # Request N as JSON once it has arrived; 408 if it has not within 30 s.
                index = int(body)
                with arrived:
                    arrived.wait_for(lambda: len(hooks) > index, timeout=30)
                    hook = hooks[index] if len(hooks) > index else None
                return self.reply(200, json.dumps(hook).encode()) if hook else self.reply(408, b"")
            self.counted()
            if self.path == "/hook":
                with arrived:
                    code = answers.pop(0) if answers else 200
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    hooks.append({"headers": headers, "body": base64.b64encode(body).decode()})
                    arrived.notify_all()
                return self.reply(code, b"")
            if self.path == "/echo":
                self.reply(201, b"got " + body + b" " + self.headers.get("X-Quarry", "").encode())
            elif self.path == "/redirect":
                self.reply(302, b"", headers=[("Location", "/echo")])
            elif self.path == "/big":
                self.reply(200, b"z" * 10000)
            else:
                self.reply(404, b"missing")

    server = http.server.ThreadingHTTPServer((sys.argv[1], 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    init(host: String = "127.0.0.1") throws {
        self.host = host
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, host]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw StartFailure()
        }
        self.port = port
    }

    func url(_ path: String) -> String {
        "http://\(host):\(port)\(path)"
    }

    /// Requests served so far, not counting these queries.
    func requestCount() throws -> Int {
        let reply = try Fetcher(policy: .allowAll).post(url("/count"), headers: [], body: [])
        return Int(reply.body) ?? -1
    }

    /// Serves `bytes` at `/files/NAME`; returns that URL.
    func put(_ name: String, _ bytes: [UInt8]) throws -> String {
        _ = try Fetcher(policy: .allowAll).post(url("/put/\(name)"), headers: [], body: bytes)
        return url("/files/\(name)")
    }

    /// The statuses `/hook` answers its next requests with, in order; 200 once they run out.
    func answerHooks(_ statuses: [Int]) throws {
        _ = try Fetcher(policy: .allowAll).post(url("/answers"), headers: [], body: Array(statuses.map(String.init).joined(separator: " ").utf8))
    }

    /// A request `/hook` received.
    struct Hook: Decodable {
        /// Names lowercased.
        let headers: [String: String]
        let body: [UInt8]

        private enum CodingKeys: String, CodingKey { case headers, body }

        /// The body travels as base64, so the bytes a signature covers arrive exactly.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            headers = try container.decode([String: String].self, forKey: .headers)
            body = [UInt8](Data(base64Encoded: try container.decode(String.self, forKey: .body)) ?? Data())
        }
    }

    /// No `index`th request reached `/hook` within the bound.
    struct HookMissing: Error {
        let index: Int
    }

    /// The `index`th request `/hook` received (from 0), waiting for it to arrive (30 s at most).
    func hook(_ index: Int) throws -> Hook {
        let reply = try Fetcher(policy: .allowAll).post(url("/hooks"), headers: [], body: Array(String(index).utf8))
        guard reply.status == 200 else { throw HookMissing(index: index) }
        return try JSONDecoder().decode(Hook.self, from: Data(reply.body.utf8))
    }

    /// SIGKILL, because the test runner's threads block SIGTERM and the child inherits that mask.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
