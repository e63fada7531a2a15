import Foundation

/// The moving parts of one epoch: worker threads claim positions of the epoch's order one at a
/// time and write each example into its batch's slot; the consumer takes finished batches in order.
/// Where an example lands depends only on its position, never on which thread made it or when.
///
/// Bounded: a worker only claims a position whose batch is fewer than `prefetch` batches ahead of
/// the one the consumer waits for, and otherwise sleeps until the consumer moves on.
///
/// Stopping: `cancel()` (from the iterator's deinit) sets a flag that workers check before every
/// claim and wakes the sleeping ones, so each exits after at most the example it is making. Workers
/// hold only this object, never the iterator, so dropping the iterator is what triggers it.
final class Pipeline<Label: Sendable>: @unchecked Sendable {
    private let loader: DataLoader<Label>
    private let epoch: Int
    private let order: [Int]
    private let positions: Range<Int>

    /// Guards every property below.
    private let condition = NSCondition()
    private var nextPosition: Int
    /// The batch (by number within the epoch) the consumer takes next.
    private var consumed: Int
    private var slots: [Int: Slot] = [:]
    private var cancelled = false

    /// One batch in the making.
    private struct Slot {
        var images: [Float]
        /// nil until the example at that offset is made.
        var labels: [Label?]
        var filled = 0
        /// The failure at the lowest position so far, so the error reported does not depend on timing.
        var failure: (position: Int, error: any Error)?
    }

    init(loader: DataLoader<Label>, epoch: Int, order: [Int], positions: Range<Int>) {
        self.loader = loader
        self.epoch = epoch
        self.order = order
        self.positions = positions
        nextPosition = positions.lowerBound
        consumed = positions.lowerBound / loader.batchSize
    }

    func start() {
        // No more threads than examples: a short resumed tail needs few.
        for _ in 0..<min(loader.workers, positions.count) {
            Thread { [self] in work() }.start()
        }
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func next() -> Result<Batch<Label>, any Error>? {
        let batch = consumed
        let range = self.range(of: batch)
        guard !range.isEmpty else { return nil }
        if loader.workers == 0 {
            for position in range { store(loader.make(epoch: epoch, index: order[position]), at: position) }
        }
        condition.lock()
        while slots[batch].map({ $0.filled < range.count }) ?? true {
            condition.wait()
        }
        let slot = slots.removeValue(forKey: batch)!
        consumed += 1
        // The window moved: sleeping workers may claim the next batch.
        condition.broadcast()
        condition.unlock()
        if let failure = slot.failure { return .failure(failure.error) }
        let shape = [range.count] + loader.shape
        // Every example was made (no failure), so every label is there.
        return .success(Batch(images: Tensor(shape: shape, storage: slot.images), labels: slot.labels.map { $0! },
                              indices: Array(order[range])))
    }

    /// The positions of the epoch's order that make up `batch`; empty past the end.
    private func range(of batch: Int) -> Range<Int> {
        let start = max(batch * loader.batchSize, positions.lowerBound)
        return start..<max(start, min(batch * loader.batchSize + loader.batchSize, positions.upperBound))
    }

    private func work() {
        condition.lock()
        while !cancelled && nextPosition < positions.upperBound {
            let position = nextPosition
            guard position / loader.batchSize < consumed + loader.prefetch else {
                condition.wait()
                continue
            }
            nextPosition += 1
            condition.unlock()
            let result = loader.make(epoch: epoch, index: order[position])
            store(result, at: position)
            condition.lock()
        }
        condition.unlock()
    }

    /// Copies one example into its batch's slot and wakes the consumer when the batch is full.
    private func store(_ result: Result<(image: [Float], label: Label), any Error>, at position: Int) {
        let batch = position / loader.batchSize, offset = position % loader.batchSize
        let size = range(of: batch).count, plane = loader.shape.reduce(1, *)
        condition.lock()
        defer { condition.unlock() }
        var slot = slots.removeValue(forKey: batch)
            ?? Slot(images: [Float](repeating: 0, count: size * plane), labels: [Label?](repeating: nil, count: size))
        switch result {
        case .success(let example):
            slot.images.withUnsafeMutableBufferPointer { images in
                example.image.withUnsafeBufferPointer { source in
                    (images.baseAddress! + offset * plane).update(from: source.baseAddress!, count: plane)
                }
            }
            slot.labels[offset] = example.label
        case .failure(let error):
            if slot.failure.map({ position < $0.position }) ?? true { slot.failure = (position, error) }
        }
        slot.filled += 1
        slots[batch] = slot
        if slot.filled == size { condition.broadcast() }
    }
}
