import Glibc

/// One client connection. Confined to its event loop's thread: handler threads only ever hand it
/// back to `loop.execute`, which is why the `@unchecked Sendable` is sound.
///
/// Requests on a connection are answered strictly in order: the next pipelined request is parsed
/// only once the current response is queued, so responses can never overtake each other.
final class Connection: @unchecked Sendable {
    /// Enough for most request heads; a body being read borrows more (`ReadBuffer.reserve`).
    static let initialBufferCapacity = 4096

    let fd: Int32
    let remote: String
    /// Where the connection arrived (`Socket.arrival`).
    let local: String?
    unowned let loop: EventLoop
    /// What the connection is doing (ConnectionState.swift); the rest of its fields are its buffers.
    var state: ConnectionState
    var input: ReadBuffer
    var parser: RequestHeadParser
    /// The epoll interest registered now.
    var interest: Epoll.Interest = [.read, .readHangup]

    // The write side (Connection+Write.swift).
    var output: [UInt8] = []
    var outputOffset = 0

    init(fd: Int32, remote: String, local: String?, loop: EventLoop) {
        self.fd = fd
        self.remote = remote
        self.local = local
        self.loop = loop
        self.input = ReadBuffer(capacity: Self.initialBufferCapacity)
        self.parser = RequestHeadParser(maxHeadBytes: loop.context.limits.maxHeadBytes,
                                        maxHeaderCount: loop.context.limits.maxHeaderCount)
        self.state = ConnectionState(now: loop.now)
    }

    var isClosed: Bool { state.isClosed }

    /// The socket is readable (or hung up).
    func readable() {
        let limits = loop.context.limits
        // A little over the head limit, so one read can hold a full head plus some body.
        let maxBuffer = max(limits.maxHeadBytes * 2, 64 * 1024)
        while !isClosed {
            if case .readingBody = state.phase { input.reserve(maxBuffer) }
            let received: Int?
            do {
                received = try input.receive(from: fd, maxCapacity: maxBuffer)
            } catch {
                close()
                return
            }
            guard let count = received else { break }
            if count == 0 {
                peerFinishedSending()
                return
            }
            state.sawActivity(now: loop.now)
            processInput()
            if !state.wantsInput(backlogged: outputBacklogged) { break }
        }
        pump()
    }

    /// Parses and dispatches as many buffered requests as can be answered now.
    func processInput() {
        while !isClosed {
            guard !outputBacklogged else { return }
            switch state.phase {
            case .idle, .readingHead:
                guard !input.isEmpty else {
                    state.inputDrained()
                    return
                }
                state.headStarted(now: loop.now)
                let result: RequestHeadParser.Result
                do {
                    result = try parser.parse(input.readable)
                } catch {
                    failBeforeHandler(error.status, error.reason, inFlight: nil)
                    return
                }
                guard case .complete(let head, let framing, let consumed) = result else { return }
                input.consume(consumed)
                parser.reset()
                begin(head, framing)
            case .readingBody(let inFlight, let reader):
                if !reader.isComplete {
                    guard !input.isEmpty else { return }
                    do {
                        input.consume(try reader.feed(input.readable))
                    } catch {
                        failBody(error, inFlight)
                        return
                    }
                }
                guard reader.isComplete else { return }
                input.shrink(to: Self.initialBufferCapacity)
                dispatch(reader.finish(), inFlight)
            case .handling, .writingBody, .closing, .closed:
                return
            }
        }
    }

    /// Pipelined responses the client has not read yet; past this, no more requests are parsed.
    var outputBacklogged: Bool { output.count - outputOffset >= 1 << 20 }

    /// Registers the interest the state calls for, when it changed.
    func updateInterest() {
        guard !isClosed else { return }
        let wanted = state.interest(backlogged: outputBacklogged)
        guard wanted != interest else { return }
        interest = wanted
        try? loop.epoll.modify(fd, wanted)
    }

    private func begin(_ head: RequestHead, _ framing: BodyFraming) {
        let requestID = loop.requestIDs.next(incoming: head.headers["x-request-id"])
        var inFlight = InFlight(head: head, requestID: requestID, started: loop.now, keepAlive: head.keepAlive && !loop.draining)
        let limits = loop.context.limits
        // Before routing: a preflight's answer does not depend on the path (CORSPolicy).
        if let preflight = loop.context.cors?.preflight(head) {
            if framing != .none { inFlight.keepAlive = false }
            respond(preflight, to: inFlight)
            return
        }
        switch loop.context.router.match(head.method, path: head.path) {
        case .badPath:
            failBeforeHandler(.badRequest, "malformed request path", inFlight: inFlight, bodyPending: framing != .none)
        case .notFound:
            failBeforeHandler(.notFound, "no route for \(head.method.rawValue) \(head.path)", inFlight: inFlight,
                              bodyPending: framing != .none)
        case .methodNotAllowed(let allowed):
            var response = loop.context.errorResponder(.methodNotAllowed, "method \(head.method.rawValue) not allowed here", head)
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            if framing != .none { inFlight.keepAlive = false }
            respond(response, to: inFlight)
        case .found(let route, let parameters):
            inFlight.route = route
            let maxBytes = route.options.maxBodyBytes ?? limits.defaultMaxBodyBytes
            if case .length(let count) = framing, count > maxBytes {
                failBeforeHandler(.contentTooLarge, "request body is larger than \(maxBytes) bytes", inFlight: inFlight, bodyPending: true)
                return
            }
            inFlight.parameters = parameters
            if framing == .none {
                dispatch(.empty, inFlight)
                return
            }
            if head.expectsContinue {
                output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
            }
            state.readBody(inFlight, with: BodyReader(framing: framing, maxBytes: maxBytes, memoryThreshold: limits.bodyMemoryThreshold,
                                                      spoolDirectory: loop.context.spoolDirectory))
        }
    }

    private func dispatch(_ requestBody: RequestBody, _ received: InFlight) {
        guard let route = received.route else { return }
        var inFlight = received
        if case .file(let spooled) = requestBody { inFlight.spooled = spooled }
        let request = Request(head: inFlight.head, body: requestBody, pathParameters: inFlight.parameters,
                              requestID: inFlight.requestID, remoteAddress: remote, localAddress: local)
        let errorResponder = loop.context.errorResponder
        if route.options.runsInline || route.options.runsInlineWhen?(request) == true {
            respond(Self.run(route.handler, request, errorResponder), to: inFlight)
            return
        }
        state.handle(inFlight)
        let loop = self.loop
        loop.context.pool.submit { [self] in
            let response = Self.run(route.handler, request, errorResponder)
            loop.execute { [self] in
                guard !self.isClosed, case .handling(let inFlight) = self.state.phase else { return }
                self.respond(response, to: inFlight)
                self.pump()
            }
        }
    }

    private static func run(_ handler: Handler, _ request: Request, _ errorResponder: ErrorResponder) -> Response {
        do {
            return try handler(request)
        } catch {
            // The adapters map their own errors; anything reaching here is a bug, logged with the
            // request id while the client sees only a generic message.
            Diagnostics.log("error: request \(request.requestID) failed: \(error)")
            return errorResponder(.internalServerError, "internal error (request id \(request.requestID))", request.head)
        }
    }

    /// Answers before the handler ran: `inFlight` is nil for bytes that never became a request. When a
    /// body was announced but not read, the connection cannot be reused (its remaining bytes are not a
    /// request), so it closes after the response.
    func failBeforeHandler(_ status: Status, _ message: String, inFlight: InFlight?, bodyPending: Bool = true) {
        var answered = inFlight ?? .unparsed(requestID: loop.requestIDs.next(incoming: nil), started: loop.now)
        if bodyPending || inFlight == nil { answered.keepAlive = false }
        respond(loop.context.errorResponder(status, message, inFlight?.head), to: answered)
    }

    private func failBody(_ failure: BodyReader.Failure, _ received: InFlight) {
        var inFlight = received
        inFlight.keepAlive = false
        switch failure {
        case .tooLarge:
            let limit = inFlight.route?.options.maxBodyBytes ?? loop.context.limits.defaultMaxBodyBytes
            respond(loop.context.errorResponder(.contentTooLarge, "request body is larger than \(limit) bytes", inFlight.head), to: inFlight)
        case .malformed(let error):
            respond(loop.context.errorResponder(error.status, error.reason, inFlight.head), to: inFlight)
        case .spool(let error):
            let status: Status = error.errno == ENOSPC ? .insufficientStorage : .internalServerError
            respond(loop.context.errorResponder(status, "could not store the request body", inFlight.head), to: inFlight)
        }
    }

    /// The client closed its sending side (ConnectionState.peerFinishedSending says what follows).
    private func peerFinishedSending() {
        switch state.peerFinishedSending() {
        case .nothing: break
        case .flush: flush()
        case .close: close()
        }
    }

    /// A hang-up event while input is not being read: read now to learn whether bytes or the end came.
    func hungUp() {
        readable()
    }

    func close() {
        guard !isClosed else { return }
        let released = state.close()
        loop.forget(self)
        Glibc.close(fd)
        if let spooled = released.spooled { unlink(spooled.path) }
        released.stream?.terminate()
    }
}
