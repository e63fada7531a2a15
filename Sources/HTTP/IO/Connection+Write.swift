import CLinux
import Glibc

extension Connection {
    /// Queues the response to `received`. A response whose body is in memory is complete once queued,
    /// so the next pipelined request can be parsed at once and several responses leave in one write;
    /// file and stream bodies hold the connection until sent.
    func respond(_ answer: Response, to received: InFlight) {
        var inFlight = received
        var response = answer
        loop.context.cors?.decorate(&response, for: received.head)
        if let spooled = inFlight.spooled {
            unlink(spooled.path)
            inFlight.spooled = nil
        }
        let head = inFlight.head
        let keepAlive = inFlight.keepAlive && !loop.draining
        let isHead = head.method == .head
        let framing: ResponseHead.Framing
        var bodyBytes: [UInt8] = []
        var bodyLength = 0
        var outgoing: ConnectionState.Outgoing?

        switch response.body {
        case _ where response.status.forbidsBody:
            framing = .none
        case .empty:
            framing = .length(0)
        case .bytes(let bytes):
            framing = .length(bytes.count)
            bodyLength = bytes.count
            if !isHead { bodyBytes = bytes }
        case .file(let fileBody):
            framing = .length(fileBody.length)
            bodyLength = fileBody.length
            if !isHead { outgoing = .file(fileBody, offset: fileBody.offset, remaining: fileBody.length) }
        case .stream(let streamBody):
            if isHead {
                streamBody.terminate()
                framing = .length(0)
            } else {
                let chunked = head.version == .http1_1
                framing = chunked ? .chunked : .untilClose
                outgoing = .stream(streamBody, chunked: chunked)
            }
        }
        let streamsUntilClose = if case .untilClose = framing { true } else { false }
        let mustClose = !keepAlive || streamsUntilClose
        ResponseHead.encode(status: response.status, headers: response.headers, framing: framing, keepAlive: !mustClose,
                            version: head.version, date: loop.date.bytes, requestID: inFlight.requestID, into: &output)
        output.append(contentsOf: bodyBytes)
        inFlight.status = response.status.code
        inFlight.bodyBytes = bodyLength
        inFlight.keepAlive = !mustClose

        if let outgoing {
            state.write(inFlight, outgoing)
            if case .stream(let stream, _) = outgoing { stream.attach { [loop, self] in loop.execute { self.pump() } } }
        } else {
            finishResponse(inFlight)
        }
    }

    /// The response is wholly queued: log it and move on to the next request or to closing.
    private func finishResponse(_ inFlight: InFlight) {
        let elapsed = Double(loop.now &- inFlight.started) / 1_000_000
        loop.accessLog.record(requestID: inFlight.requestID, method: inFlight.head.method, path: inFlight.head.path,
                              status: inFlight.status, bytes: inFlight.bodyBytes, milliseconds: elapsed)
        loop.context.metrics?.record(method: inFlight.head.method, pattern: inFlight.route?.pattern, status: inFlight.status,
                                     seconds: elapsed / 1000)
        state.responseQueued(keepAlive: inFlight.keepAlive)
    }

    /// Writes whatever is queued until the socket would block, then waits for EPOLLOUT.
    func flush() {
        var drained = true
        while !isClosed {
            let progressed: Bool
            if outputOffset < output.count {
                progressed = writeOutput()
            } else if case .writingBody(let inFlight, let outgoing) = state.phase {
                switch outgoing {
                case .file(let body, let offset, let remaining): progressed = sendFile(body, offset: offset, remaining: remaining, inFlight)
                case .stream(let body, let chunked): progressed = pullStream(body, chunked: chunked, inFlight)
                }
            } else {
                break
            }
            if !progressed {
                drained = false
                break
            }
        }
        guard !isClosed else { return }
        if drained {
            state.blockedOnWrite = false
            if case .closing = state.phase {
                close()
                return
            }
        }
        updateInterest()
    }

    /// Returns false when the socket would block (or the connection closed).
    private func writeOutput() -> Bool {
        let result = output.withUnsafeBytes { bytes in
            Result { () throws(IOError) in
                try syscall("send") { send(fd, bytes.baseAddress! + outputOffset, bytes.count - outputOffset, Int32(MSG_NOSIGNAL)) }
            }
        }
        return afterSend(result) { written in
            outputOffset += written
            if outputOffset == output.count {
                output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
                outputOffset = 0
            }
            return true
        }
    }

    private func sendFile(_ body: FileBody, offset: Int, remaining: Int, _ inFlight: InFlight) -> Bool {
        if remaining == 0 {
            finishResponse(inFlight)
            return true
        }
        var position = off_t(offset)
        let result = Result { () throws(IOError) in
            try syscall("sendfile") { Glibc.sendfile(fd, body.descriptor, &position, min(remaining, 1 << 20)) }
        }
        return afterSend(result) { sent in
            if sent == 0 {
                // The file shrank under us: the promised Content-Length can no longer be met.
                close()
                return false
            }
            state.sentFile(sent)
            return true
        }
    }

    /// Applies a non-blocking send's outcome: bytes sent go to `advance`, "would block" waits for
    /// EPOLLOUT, and an error (the client went away) closes. Returns whether to keep sending.
    private func afterSend(_ result: Result<IOResult<Int>, IOError>, advance: (Int) -> Bool) -> Bool {
        switch result {
        case .success(.done(let count)):
            state.sawActivity(now: loop.now)
            return advance(count)
        case .success(.wouldBlock):
            state.blockedOnWrite = true
            return false
        case .failure:
            close()
            return false
        }
    }

    /// Moves what the producer queued into the output, framed as chunks. Returns false when
    /// there is nothing to send yet (the producer's next write wakes us), and closes when the
    /// stream was terminated: a body cut short must not look complete, nor hold the connection.
    private func pullStream(_ body: BodyStream, chunked: Bool, _ received: InFlight) -> Bool {
        guard !body.isTerminated else {
            close()
            return false
        }
        let (bytes, finished) = body.take()
        var inFlight = received
        if !bytes.isEmpty {
            if chunked {
                output.append(contentsOf: String(bytes.count, radix: 16).utf8)
                output.append(contentsOf: [13, 10])
                output.append(contentsOf: bytes)
                output.append(contentsOf: [13, 10])
            } else {
                output.append(contentsOf: bytes)
            }
            inFlight.bodyBytes += bytes.count
            state.update { $0.bodyBytes = inFlight.bodyBytes }
        }
        if finished {
            if chunked { output.append(contentsOf: "0\r\n\r\n".utf8) }
            finishResponse(inFlight)
            return true
        }
        return !bytes.isEmpty
    }
}

extension Connection {
    /// Sends what can be sent; whenever that completes a response, answers the pipelined requests
    /// already buffered (no new read event will announce bytes we already hold).
    func pump() {
        while true {
            flush()
            guard case .idle = state.phase, !input.isEmpty else { return }
            processInput()
        }
    }
}
