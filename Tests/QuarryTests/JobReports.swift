import Dispatch
@testable import Quarry
import Synchronization

/// Every status change the given job runners report for one kind of job, in order, and waits on them:
/// tests wait for background work through what it reports, never on time.
final class JobReports: Sendable {
    private let seen = Mutex<[(id: String, status: JobStatus)]>([])
    private let arrived = DispatchSemaphore(value: 0)

    init(_ runners: JobRunner..., kind: JobKind) {
        for runner in runners {
            runner.observe(kind) { [self] id, status, _ in
                seen.withLock { $0.append((id, status)) }
                arrived.signal()
            }
        }
    }

    /// The first status job `id` reached that satisfies `done`, waiting for it (2 minutes at most, so a
    /// broken runner fails the test instead of hanging it).
    func wait(_ id: String, until done: (JobStatus) -> Bool) -> JobStatus? {
        while true {
            if let reached = seen.withLock({ $0.first { $0.id == id && done($0.status) }?.status }) { return reached }
            if arrived.wait(timeout: .now() + 120) == .timedOut { return nil }
        }
    }

    /// Whether job `id` reached `status`.
    func wait(_ id: String, _ status: JobStatus) -> Bool {
        wait(id) { $0 == status } != nil
    }

    /// Job `id`'s statuses, in the order reported.
    func statuses(of id: String) -> [JobStatus] {
        seen.withLock { $0.filter { $0.id == id }.map(\.status) }
    }
}
