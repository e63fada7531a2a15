import CUDA
import Learn
import LearnGPU
import Testing

/// Two training steps of a dense model on `backend`: their losses and the checkpoint after them.
func twoDenseSteps<Objective>(_ trainer: DenseTrainer<Objective>, _ batches: [DenseTrainer<Objective>.Batch]) throws
    -> (losses: [Float], checkpoint: Checkpoint?) {
    var result: (losses: [Float], checkpoint: Checkpoint?) = ([], nil)
    _ = try trainer.run(from: nil, trainBatches: { _, start in AnySequence(batches[start...].map { $0 }) }, batchesPerEpoch: 2,
                        validate: { _ in nil }, metrics: { _, _ in }, shouldStop: { false },
                        progress: { _, _, loss in result.losses.append(loss) }, epochDone: { _, checkpoint in result.checkpoint = checkpoint })
    return result
}

/// The same steps on the emulated GPU and on the CPU give the same losses and weights, within 1e-4.
func expectTheCPUsSteps(_ train: (any Backend) throws -> (losses: [Float], checkpoint: Checkpoint?)) throws {
    let expected = try train(CPUBackend.shared)
    let actual = try train(try EmulatedGPU.backend())
    #expect(actual.losses.count == 2)
    #expect(zip(actual.losses, expected.losses).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) },
            "losses \(actual.losses) vs \(expected.losses)")
    let (a, e) = (try #require(actual.checkpoint), try #require(expected.checkpoint))
    #expect(a.parameters.keys.sorted() == e.parameters.keys.sorted())
    for (key, values) in e.parameters {
        expectClose(Tensor(shape: [values.count], storage: a.parameters[key]!), Tensor(shape: [values.count], storage: values), key)
    }
}

/// The detector's training steps on the emulated GPU against the CPU: the head's output comes down for
/// FCOS's loss and its gradient goes back up, and the weights after two SGD steps agree (AdamW would turn
/// rounding in a near-zero gradient into a whole step).
struct GPUDetectionTests {
    static func train(on backend: any Backend) throws -> (losses: [Float], checkpoint: Checkpoint?) {
        var random = Random(seed: 21)
        let model = FCOS.make(classes: 2, backbone: .resnet18, inputSize: 16, width: 0.0625, stem: .cifar, backend: backend,
                              random: &random)
        backend.place(model)
        let trainer = DetectionTrainer(model: model, optimizer: SGD(learningRate: 0.01, momentum: 0.9, backend: backend),
                                       schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 0.01, totalSteps: 2),
                                       configuration: TrainingConfiguration(epochs: 1, gradientClipNorm: 5), backend: backend)
        let batches: [DetectionTrainer.Batch] = (0..<2).map { step in
            (Tensor.normal([2, 3, 16, 16], seed: UInt64(300 + step)),
             [[LabeledBox(classIndex: step % 2, x1: 1, y1: 2, x2: 9, y2: 12)],
              [LabeledBox(classIndex: 1, x1: 6, y1: 4, x2: 15, y2: 15), LabeledBox(classIndex: 0, x1: 0, y1: 0, x2: 4, y2: 5)]])
        }
        return try twoDenseSteps(trainer, batches)
    }

    @Test func twoStepsMatchTheCPU() throws {
        try expectTheCPUsSteps(Self.train)
    }
}

/// The segmenter's training steps on the emulated GPU against the CPU, as the detector's.
struct GPUSegmentationTests {
    static func train(on backend: any Backend) throws -> (losses: [Float], checkpoint: Checkpoint?) {
        var random = Random(seed: 22)
        let backbone = ResNet18.features(inputSize: 16, width: 0.0625, stem: .cifar, backend: backend, random: &random)
        let model = Segmenter(classes: 2, backbone: backbone, pyramidChannels: 8, backend: backend, random: &random)
        backend.place(model)
        let trainer = SegmentationTrainer(model: model, optimizer: SGD(learningRate: 0.01, momentum: 0.9, backend: backend),
                                          schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 0.01, totalSteps: 2),
                                          configuration: TrainingConfiguration(epochs: 1, gradientClipNorm: 5), backend: backend)
        // Stripes of three classes, shifted per image and step.
        func mask(_ shift: Int) -> [UInt8] { (0..<256).map { location in UInt8((location / 16 + location % 16 + shift) % 3) } }
        let batches: [SegmentationTrainer.Batch] = (0..<2).map { step in
            (Tensor.normal([2, 3, 16, 16], seed: UInt64(400 + step)), [mask(step), mask(step + 1)])
        }
        return try twoDenseSteps(trainer, batches)
    }

    @Test func twoStepsMatchTheCPU() throws {
        try expectTheCPUsSteps(Self.train)
    }
}
