@testable import HTTP
import Testing

/// The connection's state machine with no socket and no clock: what each phase does when the client
/// half-closes, which limit it applies at a given time, and what it asks epoll for.
struct ConnectionStateTests {
    static let second: UInt64 = 1_000_000_000
    static let limits = Limits()

    static func inFlight(keepAlive: Bool = true) -> InFlight {
        let head = RequestHead(method: .get, target: "/x", version: .http1_1, headers: HTTPFields(), keepAlive: keepAlive,
                               expectsContinue: false)
        return InFlight(head: head, requestID: "r", started: 0, keepAlive: keepAlive)
    }

    static func reader() -> BodyReader {
        BodyReader(framing: .length(10), maxBytes: 100, memoryThreshold: 100, spoolDirectory: "/tmp")
    }

    /// A state in each phase, at time 0.
    static func states() -> [String: ConnectionState] {
        var states: [String: ConnectionState] = [:]
        var state = ConnectionState(now: 0)
        states["idle"] = state
        state.headStarted(now: 0)
        states["readingHead"] = state
        state.readBody(inFlight(), with: reader())
        states["readingBody"] = state
        state.handle(inFlight())
        states["handling"] = state
        state.write(inFlight(), .stream(BodyStream(), chunked: true))
        states["writingStream"] = state
        state.write(inFlight(), .file(try! FileBody(path: "/dev/null"), offset: 0, remaining: 5))
        states["writingFile"] = state
        state.closeAfterOutput()
        states["closing"] = state
        return states
    }

    @Test func aHalfCloseAnswersWhatWasAskedAndDropsWhatWasNot() {
        let expected: [String: (ConnectionState.AfterPeerFinished, String)] = [
            "idle": (.flush, "closing"), "readingHead": (.flush, "closing"), "readingBody": (.flush, "closing"),
            "handling": (.nothing, "handling"), "writingFile": (.nothing, "writingBody"), "writingStream": (.close, "writingBody"),
            "closing": (.nothing, "closing"),
        ]
        for (name, var state) in Self.states() {
            let action = state.peerFinishedSending()
            #expect(action == expected[name]?.0, "\(name)")
            #expect(String(describing: state.phase).hasPrefix(expected[name]?.1 ?? "?"), "\(name): \(state.phase)")
            #expect(state.peerFinished && !state.interest(backlogged: false).contains(.read), "\(name)")
            // A request already received is still answered, but the connection closes after it.
            if name == "handling" || name == "writingFile" { #expect(state.inFlight?.keepAlive == false) }
        }
    }

    @Test func eachPhaseKeepsItsOwnLimit() {
        let just = { (duration: Duration) in UInt64(duration.components.seconds) * Self.second }
        let cases: [(String, UInt64, ConnectionState.Timeout)] = [
            ("idle", just(Self.limits.idleTimeout), .none),
            ("idle", just(Self.limits.idleTimeout) + 1, .close),
            ("readingHead", just(Self.limits.headerReadTimeout) + 1, .answer("request header not received in time")),
            ("readingBody", just(Self.limits.bodyReadTimeout), .none),
            ("readingBody", just(Self.limits.bodyReadTimeout) + 1, .answer("request body not received in time")),
            ("handling", 1_000 * Self.second, .none),
            ("writingStream", 1_000 * Self.second, .none),
        ]
        let states = Self.states()
        for (name, now, expected) in cases {
            #expect(states[name]!.timeout(now: now, limits: Self.limits) == expected, "\(name) at \(now)")
        }
        // Writing is limited only while the client does not read.
        var blocked = states["writingStream"]!
        blocked.blockedOnWrite = true
        #expect(blocked.timeout(now: just(Self.limits.idleTimeout) + 1, limits: Self.limits) == .close)
        #expect(blocked.interest(backlogged: false) == [.readHangup, .write])
        // Activity moves the idle clock.
        var idle = states["idle"]!
        idle.sawActivity(now: 5 * Self.second)
        #expect(idle.timeout(now: just(Self.limits.idleTimeout) + 1, limits: Self.limits) == .none)
    }

    @Test func inputIsReadOnlyWhenARequestCanBeTaken() {
        for (name, state) in Self.states() {
            let reads = ["idle", "readingHead", "readingBody"].contains(name)
            #expect(state.interest(backlogged: false) == (reads ? [.read, .readHangup] : [.readHangup]), "\(name)")
            #expect(state.interest(backlogged: true) == [.readHangup], "\(name) behind unread responses")
        }
    }

    @Test func aResponseLeadsToTheNextRequestOrToClosing() {
        var state = Self.states()["handling"]!
        state.update { $0.status = 200 }
        #expect(state.inFlight?.status == 200)
        state.responseQueued(keepAlive: true)
        #expect(state.inFlight == nil && String(describing: state.phase) == "idle")
        state.headStarted(now: 3)
        state.inputDrained()
        #expect(String(describing: state.phase) == "idle")
        state.responseQueued(keepAlive: false)
        #expect(String(describing: state.phase) == "closing")

        var writing = Self.states()["writingFile"]!
        writing.sentFile(2)
        guard case .file(_, let offset, let remaining)? = writing.outgoing else { Issue.record("no file"); return }
        #expect(offset == 2 && remaining == 3)
        let released = writing.close()
        #expect(writing.isClosed && released.stream == nil && released.spooled == nil)
        var streaming = Self.states()["writingStream"]!
        #expect(streaming.close().stream != nil, "closing releases the stream so its producer stops")
    }
}
