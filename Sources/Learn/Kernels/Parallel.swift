import Dispatch
import Foundation

/// Loops spread over the machine's cores. The kernels hand each index a disjoint slice of their
/// buffers, which Swift cannot see through raw pointers, so the unchecked hand-off lives here once.
enum Parallel {
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Below this many values a loop is cheaper than waking another thread.
    static let minimumWork = 1 << 14

    /// Calls `body(i)` for every i in `0..<count`, on several cores when `work` (values touched by
    /// the whole loop) pays for it. `body` must only write what index i owns. Loops inside `body` run on
    /// its own thread: the outer loop already keeps every core busy.
    static func forEach(_ count: Int, work: Int, _ body: (Int) -> Void) {
        guard count > 1, cores > 1, work >= minimumWork, !isNested else {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { index in
                let outer = isNested
                pthread_setspecific(nesting, UnsafeRawPointer(bitPattern: 1))
                body(index)
                if !outer { pthread_setspecific(nesting, nil) }
            }
        }
    }

    /// Calls `body(range)` over `0..<count` cut into about one contiguous range per core, for loops
    /// whose single iterations are too small to schedule one by one.
    static func forRanges(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = work >= minimumWork ? min(cores, count) : 1
        forEach(parts, work: work) { part in
            body(count * part / parts..<count * (part + 1) / parts)
        }
    }

    /// Whether this thread is running an iteration of `forEach`.
    static var isNested: Bool { pthread_getspecific(nesting) != nil }

    /// Set on a thread for as long as it runs an iteration of `forEach` (the caller's thread runs some too).
    private static let nesting: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key for Parallel")
        return key
    }()
}
