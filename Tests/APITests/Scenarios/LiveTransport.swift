import QuarryTesting

/// Requests over HTTP/1.1 to the real binary, one connection each: the bytes a plain client sends,
/// framed by `Content-Length`; the answer read by its length or its chunks (a run's event stream ends
/// when the run does, which is what a step waiting on it needs).
struct LiveTransport: Transport {
    let port: Int

    /// Bodies above this ask first (`Expect: 100-continue`), as curl does: a server refusing the body
    /// (413) answers before it is sent, rather than closing on a client still writing.
    static let askFirstAbove = 64 * 1024

    func send(_ request: TransportRequest) throws -> TransportResponse {
        let client = try RawClient(port: port, timeout: Step.pollDeadline)
        var head = "\(request.method.rawValue) \(request.target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        // As common clients do: a length on every body, and a zero one on a bodiless write.
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method.rawValue) {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        var response: RawResponse
        if request.body.count > Self.askFirstAbove {
            try client.send(head + "Expect: 100-continue\r\n\r\n")
            response = try client.readResponse()
            if response.status == 100 {
                try client.send(request.body)
                response = try client.readResponse()
            }
        } else {
            try client.send(Array((head + "\r\n").utf8) + request.body)
            response = try client.readResponse()
        }
        return TransportResponse(status: response.status, headers: response.headers.map { ($0.0, $0.1) }, body: response.body)
    }
}
