import Glibc

/// One client connection. Confined to its event loop's thread: handler threads only ever hand it
/// back to `loop.execute`, which is why the `@unchecked Sendable` is sound.
///
/// Requests on a connection are answered strictly in order: the next pipelined request is parsed
/// only once the current response is queued, so responses can never overtake each other.
final class Connection: @unchecked Sendable {
    enum State {
        /// Between requests, waiting for a first byte.
        case idle
        /// Part of a head has arrived at `since` (monotonic ns).
        case readingHead(since: UInt64)
        case readingBody
        /// The handler runs on the pool; input is not read meanwhile.
        case handling
        /// A file or stream body is still going out.
        case writingBody
        /// The last response is queued; close once it is written.
        case closing
        case closed
    }

    /// Enough for most request heads; a body being read borrows more (`ReadBuffer.reserve`).
    static let initialBufferCapacity = 4096

    let fd: Int32
    let remote: String
    unowned let loop: EventLoop
    var state: State = .idle
    var input: ReadBuffer
    var parser: RequestHeadParser
    var body: BodyReader?
    var current: InFlight?
    var lastActivity: UInt64
    var interest: Epoll.Interest = [.read, .readHangup]
    /// The client shut its sending side; nothing more will arrive.
    var peerFinished = false
    /// The last send would have blocked; EPOLLOUT says when to go on.
    var blockedOnWrite = false

    // The write side (Connection+Write.swift).
    var output: [UInt8] = []
    var outputOffset = 0
    var file: (body: FileBody, offset: Int, remaining: Int)?
    var stream: (body: BodyStream, chunked: Bool)?

    /// The request being answered: what the access log and the response head need.
    struct InFlight {
        let head: RequestHead
        let requestID: String
        let started: UInt64
        var route: Route?
        var parameters: [String: String] = [:]
        var keepAlive: Bool
        var status = 0
        var bodyBytes = 0
        var spooled: SpooledFile?

        /// For answers to bytes that never became a request (a malformed or timed-out head).
        static func unparsed(requestID: String, started: UInt64) -> InFlight {
            let head = RequestHead(method: Method("-"), target: "-", version: .http1_1, headers: HTTPFields(),
                                   keepAlive: false, expectsContinue: false)
            return InFlight(head: head, requestID: requestID, started: started, keepAlive: false)
        }
    }

    init(fd: Int32, remote: String, loop: EventLoop) {
        self.fd = fd
        self.remote = remote
        self.loop = loop
        self.input = ReadBuffer(capacity: Self.initialBufferCapacity)
        self.parser = RequestHeadParser(maxHeadBytes: loop.context.limits.maxHeadBytes,
                                        maxHeaderCount: loop.context.limits.maxHeaderCount)
        self.lastActivity = loop.now
    }

    var isClosed: Bool { if case .closed = state { true } else { false } }

    /// The socket is readable (or hung up).
    func readable() {
        let limits = loop.context.limits
        // A little over the head limit, so one read can hold a full head plus some body.
        let maxBuffer = max(limits.maxHeadBytes * 2, 64 * 1024)
        while !isClosed {
            if case .readingBody = state { input.reserve(maxBuffer) }
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
            lastActivity = loop.now
            processInput()
            if !wantsInput { break }
        }
        pump()
    }

    /// Parses and dispatches as many buffered requests as can be answered now.
    func processInput() {
        while !isClosed {
            guard !outputBacklogged else { return }
            switch state {
            case .idle, .readingHead:
                guard !input.isEmpty else {
                    state = .idle
                    return
                }
                if case .idle = state { state = .readingHead(since: loop.now) }
                let result: RequestHeadParser.Result
                do {
                    result = try parser.parse(input.readable)
                } catch {
                    failBeforeHandler(error.status, error.reason, head: nil)
                    return
                }
                guard case .complete(let head, let framing, let consumed) = result else { return }
                input.consume(consumed)
                parser.reset()
                begin(head, framing)
            case .readingBody:
                guard let reader = body else { return }
                if !reader.isComplete {
                    guard !input.isEmpty else { return }
                    do {
                        input.consume(try reader.feed(input.readable))
                    } catch {
                        failBody(error)
                        return
                    }
                }
                if reader.isComplete {
                    let finished = reader.finish()
                    body = nil
                    input.shrink(to: Self.initialBufferCapacity)
                    dispatch(finished)
                } else {
                    return
                }
            case .handling, .writingBody, .closing, .closed:
                return
            }
        }
    }

    private var wantsInput: Bool {
        switch state {
        case .idle, .readingHead, .readingBody: !outputBacklogged
        default: false
        }
    }

    /// Pipelined responses the client has not read yet; past this, no more requests are parsed.
    private var outputBacklogged: Bool { output.count - outputOffset >= 1 << 20 }

    /// Derives the epoll interest from the state. Level-triggered epoll repeats readiness that is not
    /// acted on, so input is asked for only when it can be taken, and hang-ups only until seen.
    func updateInterest() {
        guard !isClosed else { return }
        var wanted: Epoll.Interest = []
        if wantsInput && !peerFinished { wanted.insert(.read) }
        if !peerFinished { wanted.insert(.readHangup) }
        if blockedOnWrite { wanted.insert(.write) }
        guard wanted != interest else { return }
        interest = wanted
        try? loop.epoll.modify(fd, wanted)
    }

    private func begin(_ head: RequestHead, _ framing: BodyFraming) {
        let requestID = loop.requestIDs.next(incoming: head.headers["x-request-id"])
        current = InFlight(head: head, requestID: requestID, started: loop.now, keepAlive: head.keepAlive && !loop.draining)
        let limits = loop.context.limits
        switch loop.context.router.match(head.method, path: head.path) {
        case .badPath:
            failBeforeHandler(.badRequest, "malformed request path", head: head, bodyPending: framing != .none)
        case .notFound:
            failBeforeHandler(.notFound, "no route for \(head.method.rawValue) \(head.path)", head: head, bodyPending: framing != .none)
        case .methodNotAllowed(let allowed):
            var response = loop.context.errorResponder(.methodNotAllowed, "method \(head.method.rawValue) not allowed here", head)
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            if framing != .none { current?.keepAlive = false }
            respond(response)
        case .found(let route, let parameters):
            current?.route = route
            let maxBytes = route.options.maxBodyBytes ?? limits.defaultMaxBodyBytes
            if case .length(let count) = framing, count > maxBytes {
                failBeforeHandler(.contentTooLarge, "request body is larger than \(maxBytes) bytes", head: head, bodyPending: true)
                return
            }
            current?.parameters = parameters
            if framing == .none {
                dispatch(.empty)
                return
            }
            if head.expectsContinue {
                output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
            }
            body = BodyReader(framing: framing, maxBytes: maxBytes, memoryThreshold: limits.bodyMemoryThreshold,
                              spoolDirectory: loop.context.spoolDirectory)
            state = .readingBody
        }
    }

    private func dispatch(_ requestBody: RequestBody) {
        guard let inFlight = current, let route = inFlight.route else { return }
        if case .file(let spooled) = requestBody { current?.spooled = spooled }
        let request = Request(head: inFlight.head, body: requestBody, pathParameters: inFlight.parameters,
                              requestID: inFlight.requestID, remoteAddress: remote)
        let errorResponder = loop.context.errorResponder
        if route.options.runsInline {
            respond(Self.run(route.handler, request, errorResponder))
            return
        }
        state = .handling
        let loop = self.loop
        loop.context.pool.submit { [self] in
            let response = Self.run(route.handler, request, errorResponder)
            loop.execute { [self] in
                guard !self.isClosed else { return }
                self.respond(response)
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

    /// Answers before the handler ran. When a body was announced but not read, the connection
    /// cannot be reused (its remaining bytes are not a request), so it closes after the response.
    private func failBeforeHandler(_ status: Status, _ message: String, head: RequestHead?, bodyPending: Bool = true) {
        if current == nil {
            current = .unparsed(requestID: loop.requestIDs.next(incoming: nil), started: loop.now)
        }
        if bodyPending || head == nil { current?.keepAlive = false }
        respond(loop.context.errorResponder(status, message, head))
    }

    private func failBody(_ failure: BodyReader.Failure) {
        body = nil
        current?.keepAlive = false
        switch failure {
        case .tooLarge:
            let limit = current?.route?.options.maxBodyBytes ?? loop.context.limits.defaultMaxBodyBytes
            respond(loop.context.errorResponder(.contentTooLarge, "request body is larger than \(limit) bytes", current?.head))
        case .malformed(let error):
            respond(loop.context.errorResponder(error.status, error.reason, current?.head))
        case .spool(let error):
            let status: Status = error.errno == ENOSPC ? .insufficientStorage : .internalServerError
            respond(loop.context.errorResponder(status, "could not store the request body", current?.head))
        }
    }

    /// The client closed its sending side. A request already received is still answered (a
    /// half-closed client waits for it) and the connection closes after it; a stream has no one
    /// left to read it. Hang-up interest is dropped, as level-triggered epoll would repeat it.
    private func peerFinishedSending() {
        peerFinished = true
        switch state {
        case .handling:
            current?.keepAlive = false
        case .writingBody where stream != nil:
            close()
        case .writingBody:
            current?.keepAlive = false
        case .idle, .readingHead, .readingBody:
            body = nil
            state = .closing
            flush()
        case .closing, .closed:
            break
        }
    }

    /// A hang-up event while input is not being read: read now to learn whether bytes or the end came.
    func hungUp() {
        readable()
    }

    func close() {
        guard !isClosed else { return }
        state = .closed
        loop.forget(self)
        Glibc.close(fd)
        if let spooled = current?.spooled { unlink(spooled.path) }
        body = nil
        file = nil
        stream?.body.terminate()
        stream = nil
        current = nil
    }
}
