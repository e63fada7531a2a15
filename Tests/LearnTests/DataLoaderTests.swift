import Foundation
import Learn
import Synchronization
import Testing

struct DataLoaderTests {
    struct Broken: Error, Equatable { let index: Int }

    /// Each example is 2 × 1 × 1: the index and a float derived from the seed, so both the order
    /// and the seeds show in the batches. Label = index · 10.
    static func loader(count: Int = 23, batchSize: Int = 5, shuffle: Bool = true, dropLast: Bool = false,
                       seed: UInt64 = 7, workers: Int = 2, prefetch: Int = 2,
                       sample: (@Sendable (Int, UInt64) throws -> (image: [Float], label: Int))? = nil) -> DataLoader<Int> {
        DataLoader(count: count, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed,
                   workers: workers, prefetch: prefetch, shape: [2, 1, 1],
                   sample: sample ?? { index, seed in ([Float(index), Float(seed >> 40)], index * 10) })
    }

    static func batches(_ loader: DataLoader<Int>, epoch: Int = 0, startingAt start: Int = 0) throws -> [Batch<Int>] {
        try loader.epoch(epoch, startingAt: start).map { try $0.get() }
    }

    static func summary(_ batches: [Batch<Int>]) -> [[Float]] { batches.map(\.images.storage) }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func everyIndexOncePerEpoch(shuffle: Bool, dropLast: Bool) throws {
        let loader = Self.loader(shuffle: shuffle, dropLast: dropLast)
        let batches = try Self.batches(loader)
        #expect(batches.count == loader.batchesPerEpoch)
        #expect(loader.batchesPerEpoch == (dropLast ? 4 : 5))
        let indices = batches.flatMap(\.indices)
        #expect(Set(indices).count == indices.count)
        #expect(indices.count == (dropLast ? 20 : 23))
        if !dropLast { #expect(Set(indices) == Set(0..<23)) }
        if !shuffle { #expect(indices == Array(0..<indices.count)) }
        for batch in batches {
            #expect(batch.images.shape == [batch.indices.count, 2, 1, 1])
            #expect(batch.labels == batch.indices.map { $0 * 10 })
            // The image really is the example of that index, in the same row.
            #expect(stride(from: 0, to: batch.images.count, by: 2).map { Int(batch.images.storage[$0]) } == batch.indices)
        }
    }

    @Test func theSameSeedGivesTheSameBatches() throws {
        let first = try Self.batches(Self.loader())
        let second = try Self.batches(Self.loader())
        #expect(Self.summary(first) == Self.summary(second))
        #expect(Self.summary(first) != Self.summary(try Self.batches(Self.loader(seed: 8))))
    }

    @Test func epochsDiffer() throws {
        let loader = Self.loader()
        #expect(try Self.batches(loader, epoch: 0).flatMap(\.indices) != Self.batches(loader, epoch: 1).flatMap(\.indices))
        // Unshuffled, the order is the same but every example's seed changes.
        let plain = Self.loader(shuffle: false)
        let a = try Self.batches(plain, epoch: 0), b = try Self.batches(plain, epoch: 1)
        #expect(a.flatMap(\.indices) == b.flatMap(\.indices))
        #expect(Self.summary(a) != Self.summary(b))
    }

    @Test(arguments: [0, 1, 3, 4, 5])
    func resumingEqualsTheTailOfAFullEpoch(start: Int) throws {
        let loader = Self.loader()
        let full = try Self.batches(loader, epoch: 2)
        let tail = try Self.batches(loader, epoch: 2, startingAt: start)
        #expect(Self.summary(tail) == Self.summary(Array(full[start...])))
        #expect(tail.map(\.indices) == full[start...].map(\.indices))
    }

    @Test func sampleErrorsSurfaceAsFailures() throws {
        let loader = Self.loader(shuffle: false, sample: { index, _ in
            if index == 7 || index == 8 { throw Broken(index: index) }
            return ([0, 0], index)
        })
        let results = Array(loader.epoch(0))
        #expect(results.count == 5)
        for (number, result) in results.enumerated() {
            switch result {
            case .success(let batch): #expect(number != 1 && batch.labels.count > 0)
            // The lowest failing position's error, however the threads raced.
            case .failure(let error): #expect(number == 1 && error as? Broken == Broken(index: 7))
            }
        }
    }

    @Test func aWrongSizedSampleIsAFailure() {
        let loader = Self.loader(count: 3, shuffle: false, sample: { index, _ in ([1, 2, 3], index) })
        guard case .failure(let error) = loader.epoch(0).next() else { Issue.record("expected a failure"); return }
        #expect(error as? DataLoaderError == .wrongSampleSize(index: 0, expected: 2, got: 3))
    }

    /// Examples that take varied time finish out of order; the batches must not notice.
    @Test(arguments: [0, 1, 2, 4])
    func threadTimingDoesNotChangeTheOrder(workers: Int) throws {
        let jittery: @Sendable (Int, UInt64) throws -> (image: [Float], label: Int) = { index, seed in
            usleep(UInt32((seed % 7) * 150))
            return ([Float(index), Float(seed >> 40)], index * 10)
        }
        let reference = try Self.batches(Self.loader(workers: 0, sample: jittery), epoch: 3)
        let threaded = try Self.batches(Self.loader(workers: workers, prefetch: 2, sample: jittery), epoch: 3)
        #expect(Self.summary(threaded) == Self.summary(reference))
        #expect(threaded.map(\.labels) == reference.map(\.labels))
    }

    @Test func droppingTheIteratorStopsTheWorkers() async throws {
        let running = Atomic<Int>(0), started = Atomic<Int>(0)
        let loader = Self.loader(count: 1000, batchSize: 4, workers: 2, prefetch: 2, sample: { index, _ in
            started.add(1, ordering: .relaxed)
            running.add(1, ordering: .relaxed)
            defer { running.subtract(1, ordering: .relaxed) }
            usleep(2000)
            return ([0, 0], index)
        })
        do {
            let batches = loader.epoch(0)
            _ = try #require(batches.next()).get()
        }
        let deadline = Date().addingTimeInterval(1)
        while running.load(ordering: .relaxed) > 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(running.load(ordering: .relaxed) == 0)
        // Bounded by prefetch: the batch taken, two ahead and one example in hand per worker.
        let afterStop = started.load(ordering: .relaxed)
        #expect(afterStop <= (1 + 2) * 4 + 2)
        try await Task.sleep(for: .milliseconds(50))
        #expect(started.load(ordering: .relaxed) == afterStop)
    }

    @Test func anEmptyDatasetHasNoBatches() {
        let loader = Self.loader(count: 0)
        #expect(loader.batchesPerEpoch == 0)
        #expect(loader.epoch(0).next() == nil)
    }
}
