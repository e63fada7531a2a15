import Learn
import Testing

/// Shared by the checkpoint and trainer tests: a small model with every kind of state a
/// checkpoint must carry, and deterministic batches of the bars problem.
enum CheckpointTesting {
    /// conv-BN-ReLU, a residual conv-BN, pooling, dropout and a linear head: parameters, batch-norm
    /// statistics inside a container, and a dropout stream.
    static func model(seed: UInt64, classes: Int = 2) -> Sequential {
        var random = Random(seed: seed)
        return Sequential([
            Conv2DLayer(inChannels: 1, outChannels: 4, kernel: 3, padding: 1, random: &random),
            BatchNorm2DLayer(channels: 4),
            ActivationLayer(.relu),
            Residual(Sequential([
                Conv2DLayer(inChannels: 4, outChannels: 4, kernel: 3, padding: 1, bias: false, random: &random),
                BatchNorm2DLayer(channels: 4),
            ])),
            GlobalAvgPoolLayer(),
            Dropout(probability: 0.25, random: Random(seed: random.next())),
            Linear(inputSize: 4, outputSize: classes, random: &random),
        ])
    }

    /// `data` in batches of `size`, in an order shuffled by the epoch, from batch `start` on.
    static func batches(_ data: (images: Tensor, labels: [Int]), size: Int, epoch: Int, start: Int)
        -> AnySequence<Trainer.Batch> {
        var order = Array(data.labels.indices)
        var random = Random(seed: UInt64(epoch) &+ 100)
        for index in order.indices.reversed() where index > 0 {
            order.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        let sample = data.images.count / data.labels.count
        let batchCount = order.count / size
        return AnySequence((start..<batchCount).lazy.map { batch in
            let rows = order[batch * size..<(batch + 1) * size]
            let storage = rows.flatMap { data.images.storage[$0 * sample..<($0 + 1) * sample] }
            var shape = data.images.shape
            shape[0] = size
            return (Tensor(shape: shape, storage: storage), rows.map { data.labels[$0] })
        })
    }

    /// One SGD step with momentum on a bars batch, so that every kind of state is non-trivial.
    static func trainedModel(seed: UInt64) -> (Sequential, SGD) {
        let model = model(seed: seed)
        let optimizer = SGD(learningRate: 0.1, momentum: 0.9)
        let (images, labels) = TrainingSanityTests.bars(count: 8, seed: seed)
        let (_, gradient) = SoftmaxCrossEntropy()(model.forward(images, training: true), labels: labels)
        _ = model.backward(gradient)
        optimizer.step(model.parameters)
        return (model, optimizer)
    }

    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    static func bits(_ model: any Layer) -> [[UInt32]] { model.parameters.map { bits($0.value.storage) } }
}
