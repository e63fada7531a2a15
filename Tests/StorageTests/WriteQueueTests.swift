import Dispatch
import Foundation
import Storage
import Synchronization
import Testing

struct WriteQueueTests {
    @Test func writesRunInOrderAndWaitReturnsAfterTheLast() {
        let queue = WriteQueue(label: "test.order")
        let order = Mutex<[Int]>([])
        for index in 0..<50 { queue.submit { order.withLock { $0.append(index) } } }
        queue.wait()
        #expect(order.withLock { $0 } == Array(0..<50))
    }

    /// With the first write held, a producer gets two writes in (the running one and one waiting)
    /// and blocks on the third until the first finishes.
    @Test func aProducerBlocksOnceTheLimitIsReached() {
        let queue = WriteQueue(label: "test.limit", limit: 2)
        let release = DispatchSemaphore(value: 0)
        let submitted = Atomic<Int>(0)
        let producer = DispatchGroup()
        DispatchQueue.global().async(group: producer) {
            for index in 0..<3 {
                queue.submit { if index == 0 { release.wait() } }
                submitted.add(1, ordering: .relaxed)
            }
        }
        let deadline = Date().addingTimeInterval(0.2)
        while Date() < deadline && submitted.load(ordering: .relaxed) < 3 { usleep(1_000) }
        #expect(submitted.load(ordering: .relaxed) == 2)
        release.signal()
        producer.wait()
        queue.wait()
        #expect(submitted.load(ordering: .relaxed) == 3)
    }
}
