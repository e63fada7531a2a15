import Learn

/// A tiny detection set drawn on the spot: 48 images of 64 × 64 noise with one or two bright (class 0) or
/// dark (class 1) squares that do not touch, and a detector trained on them.
enum DrawnSquares {
    static let side = 64
    static let batchSize = 8
    static var batches: Int { images.count / batchSize }

    static let (images, truths): ([[Float]], [[LabeledBox]]) = {
        var draw = Random(seed: 7)
        var images: [[Float]] = []
        var truths: [[LabeledBox]] = []
        for _ in 0..<48 {
            var pixels = (0..<3 * side * side).map { _ in draw.uniform() - 0.5 }
            var boxes: [LabeledBox] = []
            for _ in 0..<1 + Int(draw.next() % 2) {
                let size = 12 + Int(draw.next() % 12)
                let (x, y) = (Int(draw.next() % UInt64(side - size)), Int(draw.next() % UInt64(side - size)))
                let box = LabeledBox(classIndex: Int(draw.next() % 2), x1: Float(x), y1: Float(y), x2: Float(x + size), y2: Float(y + size))
                guard boxes.allSatisfy({ $0.x2 + 2 < box.x1 || box.x2 + 2 < $0.x1 || $0.y2 + 2 < box.y1 || box.y2 + 2 < $0.y1 }) else { continue }
                for c in 0..<3 {
                    for row in y..<y + size {
                        for column in x..<x + size { pixels[(c * side + row) * side + column] = box.classIndex == 0 ? 1.5 : -1.5 }
                    }
                }
                boxes.append(box)
            }
            images.append(pixels)
            truths.append(boxes)
        }
        return (images, truths)
    }()

    static func batch(_ index: Int) -> DetectionTrainer.Batch {
        let range = index * batchSize..<(index + 1) * batchSize
        return (Tensor(shape: [batchSize, 3, side, side], storage: range.flatMap { images[$0] }), range.map { truths[$0] })
    }

    /// A ResNet-18 detector at width 1/8 trained with AdamW for `epochs`, and each epoch's mean loss. The
    /// CIFAR stem (by default at this size) predicts every 2 pixels, the ImageNet stem every 8.
    static func train(epochs: Int, stem: Stem? = nil) throws -> (DetectionTrainer, [Float]) {
        var random = Random(seed: 8)
        let model = FCOS.make(classes: 2, backbone: .resnet18, inputSize: side, width: 0.125, stem: stem, random: &random)
        let trainer = DetectionTrainer(model: model, optimizer: AdamW(learningRate: 2e-3, weightDecay: 1e-4),
                                       schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: 2e-3, totalSteps: epochs * batches),
                                       configuration: TrainingConfiguration(epochs: epochs))
        var losses: [Float] = []
        _ = try trainer.run(from: nil, trainBatches: { _, start in AnySequence((start..<batches).map(batch)) },
                            batchesPerEpoch: batches, validate: { _ in nil }, metrics: { _, _ in }, shouldStop: { false },
                            progress: { _, _, _ in }, epochDone: { metrics, _ in losses.append(metrics.trainLoss) })
        return (trainer, losses)
    }
}
