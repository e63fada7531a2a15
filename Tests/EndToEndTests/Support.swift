import QuarryTesting

let adminKey = "e2e-admin-key"

/// Starts the real binary with test-sized limits, runs `body`, and always stops it.
func withServer<T>(_ environment: [String: String] = [:], _ body: (ServerProcess) throws -> T) throws -> T {
    var env = ["QUARRY_ADMIN_KEY": adminKey]
    for (key, value) in environment { env[key] = value }
    let server = try ServerProcess(environment: env)
    defer { server.stop() }
    return try body(server)
}

func get(_ path: String, headers: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n"
}

func createAccountRequest(_ name: String, extraHeaders: String = "") -> String {
    let body = "{\"name\":\"\(name)\"}"
    return "POST /admin/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(adminKey)\r\n"
        + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extraHeaders)\r\n\(body)"
}
