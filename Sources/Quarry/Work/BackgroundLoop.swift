import Foundation

/// A thread that runs `work` every `interval`, sooner when nudged, until stopped. Its state lives
/// in SQLite, so a loop that dies with the process resumes where it was when the next one starts.
public final class BackgroundLoop: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let flag = StopFlag()

    public init(name: String, interval: Duration, work: @escaping @Sendable () -> Void) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let (wake, finished, flag) = (self.wake, self.finished, self.flag)
        let thread = Thread {
            while !flag.isSet {
                work()
                _ = wake.wait(timeout: .now() + seconds)
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Runs the work again now rather than at the next interval.
    public func nudge() { wake.signal() }

    /// Stops after the current run and waits for it.
    public func stop() {
        flag.set()
        wake.signal()
        finished.wait()
    }
}

/// A flag one thread sets and another polls.
private final class StopFlag: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
