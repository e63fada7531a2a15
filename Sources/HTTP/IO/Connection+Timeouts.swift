extension Connection {
    /// Applies the limit that fits the connection's state. A client that trickles its head or body
    /// is answered 408 and cut off; an idle keep-alive connection is closed quietly; a client that
    /// stopped reading a response is dropped. A running handler or an open event stream has no limit here.
    func checkTimeout(now: UInt64, limits: Limits) {
        switch state {
        case .idle:
            if now &- lastActivity > limits.idleTimeout.nanoseconds { close() }
        case .readingHead(let since):
            if now &- since > limits.headerReadTimeout.nanoseconds { timeOut("request header not received in time") }
        case .readingBody:
            if now &- lastActivity > limits.bodyReadTimeout.nanoseconds { timeOut("request body not received in time") }
        case .writingBody, .closing:
            if blockedOnWrite && now &- lastActivity > limits.idleTimeout.nanoseconds { close() }
        case .handling, .closed:
            break
        }
    }

    private func timeOut(_ message: String) {
        body = nil
        if current == nil {
            current = .unparsed(requestID: loop.requestIDs.next(incoming: nil), started: lastActivity)
        }
        current?.keepAlive = false
        respond(loop.context.errorResponder(.requestTimeout, message, current?.route == nil ? nil : current?.head))
        flush()
    }
}
