import Dispatch
import Synchronization

/// The background work of one server process (training runs, evaluations, imports, model exports,
/// pre-labeling, webhook deliveries), counted so that shutdown can wait for it before the database
/// closes: a run still writing its checkpoint while the process exits underneath it is how a stop
/// used to hang (in OpenBLAS's exit handler) or lose the checkpoint.
final class WorkInFlight: Sendable {
    private let group = DispatchGroup()
    private let closing = Atomic<Bool>(false)

    /// Shutdown has begun: long work stops at its next safe point, and queued work does not start.
    var isClosing: Bool { closing.load(ordering: .acquiring) }

    /// Runs `work` on `queue`, unless shutdown began before its turn came. Work that never starts
    /// stays as the database recorded it, and the next start deals with it as after any restart.
    func async(on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        group.enter()
        queue.async { [self] in
            defer { group.leave() }
            guard !isClosing else { return }
            work()
        }
    }

    /// Begins shutdown and waits until `deadline` for the work already going; false if some still is.
    func close(waitingUntil deadline: DispatchTime) -> Bool {
        closing.store(true, ordering: .releasing)
        return group.wait(timeout: deadline) == .success
    }
}
