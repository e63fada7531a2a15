/// Server-Sent Events (https://html.spec.whatwg.org/multipage/server-sent-events.html) over a `BodyStream`.
public struct SSEStream: Sendable {
    public let body: BodyStream

    public init(body: BodyStream = BodyStream()) {
        self.body = body
    }

    /// The response that opens the stream; the handler returns it and keeps the `SSEStream` to send on.
    public var response: Response {
        var headers = HTTPFields()
        headers.append("Content-Type", "text/event-stream")
        headers.append("Cache-Control", "no-cache")
        // Tells buffering proxies (nginx) to pass events through as they come.
        headers.append("X-Accel-Buffering", "no")
        return Response(status: .ok, headers: headers, body: .stream(body))
    }

    /// Sends one event. Multi-line data becomes several `data:` lines, as the format requires.
    @discardableResult
    public func send(event: String? = nil, data: String, id: String? = nil) -> Bool {
        var text = ""
        if let id { text += "id: \(Self.singleLine(id))\n" }
        if let event { text += "event: \(Self.singleLine(event))\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line.replacingOccurrences(of: "\r", with: ""))\n"
        }
        text += "\n"
        return body.write(Array(text.utf8))
    }

    /// A comment line keeps idle connections open through proxies and lets us notice a vanished client.
    @discardableResult
    public func heartbeat() -> Bool {
        body.write(Array(": keep-alive\n\n".utf8))
    }

    public func finish() { body.finish() }

    public var isClosed: Bool { body.isClosed }

    private static func singleLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }
}
