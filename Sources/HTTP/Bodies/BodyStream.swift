import Synchronization

/// A response body written while it is being sent, from any thread: chunked responses and
/// Server-Sent Events. The connection drains it on its event loop; when the client goes away,
/// writes start returning false and the termination handlers run, so producers stop.
public final class BodyStream: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var finished = false
        var terminated = false
        var wake: (@Sendable () -> Void)?
        var onTermination: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())
    /// Above this many unsent bytes, `write` refuses more: a client that stopped reading must not grow our memory.
    public let maxPendingBytes: Int

    public init(maxPendingBytes: Int = 4 << 20) {
        self.maxPendingBytes = maxPendingBytes
    }

    /// Queues bytes for the client. Returns false once the stream is finished or the client is gone,
    /// or when the client has fallen `maxPendingBytes` behind (the stream is then terminated).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return !isClosed }
        var overflowed = false
        let wake: (@Sendable () -> Void)? = state.withLock { state in
            guard !state.finished, !state.terminated else { return nil }
            if state.pending.count + bytes.count > maxPendingBytes {
                overflowed = true
                return nil
            }
            state.pending.append(contentsOf: bytes)
            return state.wake
        }
        if overflowed {
            terminate()
            return false
        }
        wake?()
        return !isClosed
    }

    /// Ends the body once everything queued has been sent.
    public func finish() {
        let wake = state.withLock { state -> (@Sendable () -> Void)? in
            state.finished = true
            return state.wake
        }
        wake?()
    }

    /// True once the stream was finished or its client went away.
    public var isClosed: Bool { state.withLock { $0.finished || $0.terminated } }

    /// Runs `handler` once the client goes away (or at once if it already has).
    public func onTermination(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.terminated { return true }
            state.onTermination.append(handler)
            return false
        }
        if runNow { handler() }
    }

    // MARK: The connection's side

    /// Called by the connection with a closure that schedules a drain on its event loop.
    func attach(wake: @escaping @Sendable () -> Void) {
        let pendingWork = state.withLock { state -> Bool in
            state.wake = wake
            return !state.pending.isEmpty || state.finished
        }
        if pendingWork { wake() }
    }

    /// Takes whatever is queued; `finished` says the producer is done and nothing more will come.
    func take() -> (bytes: [UInt8], finished: Bool) {
        state.withLock { state in
            let bytes = state.pending
            state.pending = []
            return (bytes, state.finished)
        }
    }

    /// The client went away or the server is shutting down.
    func terminate() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.terminated else { return [] }
            state.terminated = true
            state.pending = []
            state.wake = nil
            defer { state.onTermination = [] }
            return state.onTermination
        }
        handlers.forEach { $0() }
    }
}
