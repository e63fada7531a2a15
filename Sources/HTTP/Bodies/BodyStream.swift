import Synchronization

/// A response body written while it is being sent, from any thread: chunked responses and
/// Server-Sent Events. The connection drains it on its event loop; when the client goes away,
/// writes start returning false and the termination handlers run, so producers stop.
///
/// A producer that has more than it should hold at once (a listing of any length) lets the stream
/// pull instead (`onDemand`): it is asked for the next part only once the client has been sent the last.
public final class BodyStream: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var finished = false
        var terminated = false
        var wake: (@Sendable () -> Void)?
        var onTermination: [@Sendable () -> Void] = []
        var demand: (@Sendable () -> Void)?
        /// The producer was asked and has not written since.
        var demanded = false
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
            state.demanded = false
            return state.wake
        }
        if overflowed {
            terminate()
            return false
        }
        wake?()
        return !isClosed
    }

    /// Ends the body once everything queued, and then `last`, has been sent. Writing the last part
    /// here rather than before finishing means a pulled stream is never asked again in between.
    /// Past `maxPendingBytes` the stream is terminated instead, as by `write`.
    public func finish(_ last: [UInt8] = []) {
        var overflowed = false
        let wake = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.finished, !state.terminated else { return nil }
            guard state.pending.count + last.count <= maxPendingBytes else {
                overflowed = true
                return nil
            }
            state.pending.append(contentsOf: last)
            state.finished = true
            state.demand = nil
            return state.wake
        }
        if overflowed { terminate() }
        wake?()
    }

    /// Ends the body as failed: the connection closes without ending the body properly (no last
    /// chunk), so the client can tell that what it got is incomplete, and the termination handlers run.
    public func abort() {
        let wake = state.withLock { $0.wake }
        terminate()
        wake?()
    }

    /// Makes the stream pulled: `produce` is called (on the connection's event loop, so it must only
    /// schedule the work) whenever everything queued has been sent to the client, including at the
    /// start, and not again until it has written or finished. Each call must write something or
    /// finish. The stream then holds at most what one call writes, however slowly the client reads.
    public func onDemand(_ produce: @escaping @Sendable () -> Void) {
        state.withLock { $0.demand = produce }
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
    /// Finding nothing queued asks a pulled stream's producer for more.
    func take() -> (bytes: [UInt8], finished: Bool) {
        let (taken, ask) = state.withLock { state -> (([UInt8], Bool), (@Sendable () -> Void)?) in
            let bytes = state.pending
            state.pending = []
            var ask: (@Sendable () -> Void)?
            if bytes.isEmpty, !state.finished, !state.terminated, !state.demanded, let demand = state.demand {
                state.demanded = true
                ask = demand
            }
            return ((bytes, state.finished), ask)
        }
        ask?()
        return taken
    }

    /// The client went away, the stream overflowed or its producer aborted it.
    var isTerminated: Bool { state.withLock { $0.terminated } }

    /// The client went away or the server is shutting down.
    func terminate() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.terminated else { return [] }
            state.terminated = true
            state.pending = []
            state.wake = nil
            state.demand = nil
            defer { state.onTermination = [] }
            return state.onTermination
        }
        handlers.forEach { $0() }
    }
}
