import Dispatch

/// Writes handed to one serial queue, for producers that should go on computing while a write
/// waits for its fsync. At most `limit` writes wait at once; a producer that would pass it blocks
/// until one finishes, which bounds the memory the waiting writes hold.
public final class WriteQueue: Sendable {
    private let queue: DispatchQueue
    private let group = DispatchGroup()
    private let slots: DispatchSemaphore

    public init(label: String, limit: Int = 2) {
        precondition(limit > 0, "a write queue needs room for one write")
        queue = DispatchQueue(label: label)
        slots = DispatchSemaphore(value: limit)
    }

    /// Runs `write` after every write submitted before it.
    public func submit(_ write: @escaping @Sendable () -> Void) {
        slots.wait()
        let slots = slots
        queue.async(group: group) {
            defer { slots.signal() }
            write()
        }
    }

    /// Returns once every write submitted so far has run.
    public func wait() {
        group.wait()
    }
}
