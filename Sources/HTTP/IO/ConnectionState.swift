/// What one connection is doing, as a value. Each phase carries what exists only in it: the request in
/// flight from its head to its last response byte, the body reader while a body arrives, the file or
/// stream while it goes out; a phase the connection cannot be in cannot be written down. Two facts cut
/// across phases and stay flags: the client has shut its sending side, and the last send would block.
///
///     idle ──bytes──▶ readingHead ──head with a body──▶ readingBody ──body──▶ handling ──response──┐
///      ▲                   └──head without one (or an error answered at once) ─────▶ handling ─────┤
///      │                                                                                          ▼
///      └──keep-alive── response queued ◀── writingBody (a file or stream going out) ◀── or at once
///                            └──no keep-alive──▶ closing ──output written──▶ closed
///
/// `Connection` performs the I/O and tells the state what happened; the state changes and answers with
/// what to do next. Time comes in as an argument (monotonic nanoseconds), so tests drive it with no
/// socket and no clock.
struct ConnectionState {
    enum Phase {
        /// Between requests, waiting for a first byte.
        case idle
        /// Part of a head has arrived, the first of it at `since`.
        case readingHead(since: UInt64)
        case readingBody(InFlight, BodyReader)
        /// The handler runs on the pool; input is not read meanwhile.
        case handling(InFlight)
        /// The response's head is queued and its file or stream body is still going out.
        case writingBody(InFlight, Outgoing)
        /// The last response is queued; close once it is written.
        case closing
        case closed
    }

    /// A response body that leaves after its head, a piece at a time.
    enum Outgoing {
        case file(FileBody, offset: Int, remaining: Int)
        case stream(BodyStream, chunked: Bool)
    }

    private(set) var phase: Phase = .idle
    /// The client shut its sending side; nothing more will arrive.
    private(set) var peerFinished = false
    /// The last send would have blocked; EPOLLOUT says when to go on.
    var blockedOnWrite = false
    /// When bytes last moved either way.
    private(set) var lastActivity: UInt64

    init(now: UInt64) {
        lastActivity = now
    }

    var isClosed: Bool { if case .closed = phase { true } else { false } }

    /// The request being answered, in the phases that have one.
    var inFlight: InFlight? {
        switch phase {
        case .readingBody(let inFlight, _), .handling(let inFlight), .writingBody(let inFlight, _): inFlight
        case .idle, .readingHead, .closing, .closed: nil
        }
    }

    /// The body going out, while one is.
    var outgoing: Outgoing? {
        if case .writingBody(_, let outgoing) = phase { outgoing } else { nil }
    }

    mutating func sawActivity(now: UInt64) {
        lastActivity = now
    }

    // MARK: Requests

    /// Bytes of a new head arrived while idle.
    mutating func headStarted(now: UInt64) {
        if case .idle = phase { phase = .readingHead(since: now) }
    }

    /// Everything buffered was consumed before a head began.
    mutating func inputDrained() {
        if case .readingHead = phase { phase = .idle }
    }

    mutating func readBody(_ inFlight: InFlight, with reader: BodyReader) {
        phase = .readingBody(inFlight, reader)
    }

    mutating func handle(_ inFlight: InFlight) {
        phase = .handling(inFlight)
    }

    /// Changes the request in flight (its response's status and size, its spooled body), in whichever phase holds it.
    mutating func update(_ change: (inout InFlight) -> Void) {
        switch phase {
        case .readingBody(var inFlight, let reader):
            change(&inFlight)
            phase = .readingBody(inFlight, reader)
        case .handling(var inFlight):
            change(&inFlight)
            phase = .handling(inFlight)
        case .writingBody(var inFlight, let outgoing):
            change(&inFlight)
            phase = .writingBody(inFlight, outgoing)
        case .idle, .readingHead, .closing, .closed:
            break
        }
    }

    // MARK: Responses

    /// The response's head is queued and `outgoing` follows it.
    mutating func write(_ inFlight: InFlight, _ outgoing: Outgoing) {
        phase = .writingBody(inFlight, outgoing)
    }

    /// `sent` more bytes of the file went out.
    mutating func sentFile(_ sent: Int) {
        guard case .writingBody(let inFlight, .file(let body, let offset, let remaining)) = phase else { return }
        phase = .writingBody(inFlight, .file(body, offset: offset + sent, remaining: remaining - sent))
    }

    /// The response is wholly queued: the next request may begin, or the connection closes once its
    /// output is written.
    mutating func responseQueued(keepAlive: Bool) {
        phase = keepAlive ? .idle : .closing
    }

    /// Close once the output is written, whatever was under way (a body still arriving is dropped).
    mutating func closeAfterOutput() {
        phase = .closing
    }

    /// What closing must release: the request's spooled body and the stream whose producer waits.
    mutating func close() -> (spooled: SpooledFile?, stream: BodyStream?) {
        let released = (inFlight?.spooled, outgoing.flatMap { if case .stream(let body, _) = $0 { body } else { nil } })
        phase = .closed
        return released
    }

    // MARK: Events

    enum AfterPeerFinished: Equatable {
        case nothing
        /// Write out what is queued, then close.
        case flush
        case close
    }

    /// The client shut its sending side. A request already received is still answered (a half-closed
    /// client waits for it) and the connection closes after it; a stream has no one left to read it.
    mutating func peerFinishedSending() -> AfterPeerFinished {
        peerFinished = true
        switch phase {
        case .handling, .writingBody(_, .file):
            update { $0.keepAlive = false }
            return .nothing
        case .writingBody(_, .stream):
            return .close
        case .idle, .readingHead, .readingBody:
            phase = .closing
            return .flush
        case .closing, .closed:
            return .nothing
        }
    }

    enum Timeout: Equatable {
        case none
        /// Closed quietly: an idle keep-alive connection, or a client that stopped reading.
        case close
        /// A client that trickles its head or body: answered 408 with this message, then closed.
        case answer(String)
    }

    /// The limit that fits the phase, at `now`. A running handler or an open event stream has none here.
    func timeout(now: UInt64, limits: Limits) -> Timeout {
        switch phase {
        case .idle:
            now &- lastActivity > limits.idleTimeout.nanoseconds ? .close : .none
        case .readingHead(let since):
            now &- since > limits.headerReadTimeout.nanoseconds ? .answer("request header not received in time") : .none
        case .readingBody:
            now &- lastActivity > limits.bodyReadTimeout.nanoseconds ? .answer("request body not received in time") : .none
        case .writingBody, .closing:
            blockedOnWrite && now &- lastActivity > limits.idleTimeout.nanoseconds ? .close : .none
        case .handling, .closed:
            .none
        }
    }

    /// Whether input is taken now: while a request is read, and not behind a backlog of unread responses.
    func wantsInput(backlogged: Bool) -> Bool {
        switch phase {
        case .idle, .readingHead, .readingBody: !backlogged
        case .handling, .writingBody, .closing, .closed: false
        }
    }

    /// The epoll interest the phase calls for. Level-triggered epoll repeats readiness that is not acted
    /// on, so input is asked for only when it can be taken, and hang-ups only until seen.
    func interest(backlogged: Bool) -> Epoll.Interest {
        var wanted: Epoll.Interest = []
        if wantsInput(backlogged: backlogged) && !peerFinished { wanted.insert(.read) }
        if !peerFinished { wanted.insert(.readHangup) }
        if blockedOnWrite { wanted.insert(.write) }
        return wanted
    }
}

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
