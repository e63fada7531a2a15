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

    /// With the first write held, a producer gets two writes in (the running one and one waiting);
    /// its third submit returns only once the first write has finished and freed a place.
    @Test func aProducerBlocksOnceTheLimitIsReached() {
        let queue = WriteQueue(label: "test.limit", limit: 2)
        let release = DispatchSemaphore(value: 0)
        let submitted = Atomic<Int>(0)
        let firstFinished = Atomic<Bool>(false)
        let firstFinishedBeforeThirdReturned = Atomic<Bool>(false)
        let producer = DispatchGroup()
        DispatchQueue.global().async(group: producer) {
            queue.submit {
                release.wait()
                firstFinished.store(true, ordering: .sequentiallyConsistent)
            }
            submitted.add(1, ordering: .sequentiallyConsistent)
            queue.submit {}
            submitted.add(1, ordering: .sequentiallyConsistent)
            queue.submit {}
            firstFinishedBeforeThirdReturned.store(firstFinished.load(ordering: .sequentiallyConsistent),
                                                   ordering: .sequentiallyConsistent)
        }
        // Released only once two are in, so a third that did not wait would see the first unfinished.
        while submitted.load(ordering: .sequentiallyConsistent) < 2 { usleep(1_000) }
        release.signal()
        producer.wait()
        queue.wait()
        let waited = firstFinishedBeforeThirdReturned.load(ordering: .sequentiallyConsistent)
        #expect(waited)
    }
}
