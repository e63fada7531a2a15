/// Wall-clock seconds a piece of work takes, the one timer every figure of the bench uses.
enum Stopwatch {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let started = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
