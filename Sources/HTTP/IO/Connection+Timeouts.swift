extension Connection {
    /// Applies the limit that fits the connection's state (`ConnectionState.timeout`).
    func checkTimeout(now: UInt64, limits: Limits) {
        switch state.timeout(now: now, limits: limits) {
        case .none:
            break
        case .close:
            close()
        case .answer(let message):
            // A body still arriving is dropped with its phase; the answer closes the connection.
            failBeforeHandler(.requestTimeout, message, inFlight: state.inFlight)
            flush()
        }
    }
}
