import Foundation

/// A fixed set of threads that run request handlers, so a handler that blocks (a database write,
/// a download, a slow disk) never stalls an event loop. Bounded: at most `threads` handlers run at
/// once and the rest queue in arrival order.
final class HandlerPool: @unchecked Sendable {
    // @unchecked: `queue` and `stopping` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var queueHead = 0
    private var stopping = false
    private var workers: [Thread] = []

    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "quarry-handler-\(index)"
            thread.stackSize = 1 << 20
            workers.append(thread)
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets queued jobs finish, then ends the threads.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queueHead == queue.count && !stopping { condition.wait() }
            if queueHead == queue.count {
                condition.unlock()
                return
            }
            let job = queue[queueHead]
            queueHead += 1
            // Reclaim the consumed prefix once it dominates, keeping dequeue O(1) amortised.
            if queueHead > 64 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()
            job()
        }
    }
}
