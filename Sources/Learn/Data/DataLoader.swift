/// One mini-batch: `images` is (N, C, H, W); `labels` (a class, or an image's boxes) and `indices`
/// (the dataset indices the examples came from) follow the same order.
public struct Batch<Label: Sendable>: Sendable {
    public let images: Tensor
    public let labels: [Label]
    public let indices: [Int]

    public init(images: Tensor, labels: [Label], indices: [Int]) {
        precondition(images.rank == 4 && images.shape[0] == labels.count && labels.count == indices.count,
                     "a batch has one label and one index per image")
        self.images = images
        self.labels = labels
        self.indices = indices
    }
}

public enum DataLoaderError: Error, Equatable {
    /// `sample` returned an image of `got` floats where C·H·W is `expected`.
    case wrongSampleSize(index: Int, expected: Int, got: Int)
}

/// Turns a dataset of `count` examples into reproducible mini-batches, making the examples on
/// background threads ahead of the consumer.
///
/// Everything random is a function of (seed, epoch, position): the shuffled order comes from a
/// generator seeded by (seed, epoch), and each example's `sample` seed from (seed, epoch, index).
/// So the batches never depend on thread timing, and an epoch resumed at batch k gives exactly the
/// batches a full run would have given from k on.
public final class DataLoader<Label: Sendable>: Sendable {
    public let count: Int
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    public let workers: Int
    public let prefetch: Int
    /// C, H, W of every example.
    public let shape: [Int]
    let sample: @Sendable (Int, UInt64) throws -> (image: [Float], label: Label)

    /// `sample(index, seed)` makes one example (decoded, augmented, normalized: C·H·W floats in CHW
    /// order, and its label, which augmentations may have moved with the pixels). It runs on background threads, several at once, and must give the
    /// same example for the same (index, seed). `workers` threads (0: on the consuming thread) keep
    /// at most `prefetch` batches (at least 1) made or in the making ahead of the consumer, which
    /// bounds memory to about `prefetch + 1` batches.
    public init(count: Int, batchSize: Int, shuffle: Bool, dropLast: Bool, seed: UInt64, workers: Int,
                prefetch: Int, shape: [Int],
                sample: @escaping @Sendable (Int, UInt64) throws -> (image: [Float], label: Label)) {
        precondition(count >= 0 && batchSize > 0, "a dataset has a count and a positive batch size")
        precondition(workers >= 0 && prefetch >= 0, "workers and prefetch are not negative")
        precondition(shape.count == 3 && shape.allSatisfy { $0 > 0 }, "an example's shape is C, H, W")
        self.count = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.workers = workers
        self.prefetch = max(1, prefetch)
        self.shape = shape
        self.sample = sample
    }

    public var batchesPerEpoch: Int {
        dropLast ? count / batchSize : (count + batchSize - 1) / batchSize
    }

    /// The batches of `epoch` from batch `startingAt` on, in order. A batch whose examples could
    /// not all be made is a `.failure` carrying the error of its first failed example; iteration
    /// goes on past it. Dropping the iterator early stops the workers: each finishes the example
    /// in hand and exits, so no thread outlives the epoch by more than one `sample` call.
    public func epoch(_ epoch: Int, startingAt batch: Int = 0) -> Batches<Label> {
        precondition(epoch >= 0, "epochs count from 0")
        precondition((0...batchesPerEpoch).contains(batch), "batch \(batch) is outside the epoch")
        let end = dropLast ? batchesPerEpoch * batchSize : count
        return Batches(pipeline: Pipeline(loader: self, epoch: epoch, order: order(epoch: epoch),
                                          positions: min(batch * batchSize, end)..<end))
    }

    /// The dataset indices of one epoch in the order they are served.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<count)
        guard shuffle else { return order }
        // Fisher–Yates; the multiply-high maps 64 random bits onto 0...i without a modulo's bias
        // worth mentioning.
        var random = Random(seed: Self.hash(seed, UInt64(epoch)))
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(random.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
        }
        return order
    }

    /// The seed `sample` gets for dataset index `index` in `epoch`.
    public func sampleSeed(epoch: Int, index: Int) -> UInt64 {
        Self.hash(seed, UInt64(epoch), UInt64(index))
    }

    /// Mixes each value in through SplitMix64's finalizer, so nearby inputs give unrelated seeds and
    /// (seed, epoch) and (seed, epoch, index) hash differently.
    static func hash(_ values: UInt64...) -> UInt64 {
        values.reduce(0x5155_4152_5259) { state, value in
            var random = Random(seed: state ^ value)
            return random.next()
        }
    }

    /// Runs `sample` for one dataset index, checking the size it promised.
    func make(epoch: Int, index: Int) -> Result<(image: [Float], label: Label), any Error> {
        Result {
            let example = try sample(index, sampleSeed(epoch: epoch, index: index))
            let expected = shape.reduce(1, *)
            guard example.image.count == expected else {
                throw DataLoaderError.wrongSampleSize(index: index, expected: expected, got: example.image.count)
            }
            return example
        }
    }
}

/// The batches of one epoch. Not for sharing between threads: one consumer calls `next()`.
public final class Batches<Label: Sendable>: Sequence, IteratorProtocol {
    private let pipeline: Pipeline<Label>

    init(pipeline: Pipeline<Label>) {
        self.pipeline = pipeline
        pipeline.start()
    }

    public func next() -> Result<Batch<Label>, any Error>? {
        pipeline.next()
    }

    deinit {
        pipeline.cancel()
    }
}
