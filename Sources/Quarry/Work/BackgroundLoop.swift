import Foundation
import Synchronization

/// A thread that runs `work` every `interval`, sooner when nudged, until stopped. Its state lives
/// in SQLite, so a loop that dies with the process resumes where it was when the next one starts.
public final class BackgroundLoop: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    public init(name: String, interval: Duration, work: @escaping @Sendable () -> Void) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let thread = Thread { [wake, stopped, finished] in
            while !stopped.withLock({ $0 }) {
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
        stopped.withLock { $0 = true }
        wake.signal()
        finished.wait()
    }
}
