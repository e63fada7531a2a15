import Dispatch
import Foundation
import Quarry

/// SIGTERM and SIGINT, caught from the start (before systemd hears READY=1, so a stop that follows at once
/// drains rather than kills with the default action), for `quarry serve` and `quarry worker` to wait on.
struct StopSignals {
    private let stop = DispatchSemaphore(value: 0)
    private let sources: [DispatchSourceSignal]

    init() {
        let stop = stop
        sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
    }

    /// Returns when either signal arrives.
    func wait() {
        stop.wait()
    }

    /// Closes `services`, giving the background work going `grace` to reach a safe point. Work still going
    /// then is left as the database last recorded it, for another process or the next start to take over,
    /// and the process exits at once: exit handlers (OpenBLAS's among them) would wait on that work.
    static func close(_ services: Services, grace: Duration) {
        guard services.close(waitingUntil: .now() + DispatchTimeInterval.nanoseconds(Int(grace.nanoseconds))) else {
            Output.log("warning: stopped with background work still going after the grace period; another process or the next start takes it over")
            _exit(0)
        }
        Output.log("stopped")
    }
}
