import CUDA
import Learn
import LearnGPU
import Testing

/// Whole training steps of the zoo's models on the emulated GPU against the CPU, through the same
/// trainer, and what crosses the bus while they run.
struct GPUModelTests {
    struct Steps {
        var losses: [Float] = []
        var checkpoint: Checkpoint?
        var transfers: [TransferCounts.Snapshot] = []
    }

    /// Trains `steps` batches of one epoch of `make`'s model on `backend`, recording the losses, the
    /// end-of-epoch checkpoint and the transfer counts after each step.
    static func train(_ make: (any Backend, inout Random) -> Sequential, on backend: any Backend, steps: Int, batch: Int,
                      side: Int, optimizer: (any Backend) -> any Optimizer, transfers: TransferCounts? = nil,
                      pixels: Bool = false) throws -> Steps {
        var random = Random(seed: 7)
        let model = make(backend, &random)
        backend.place(model)
        let trainer = Trainer(model: model, optimizer: optimizer(backend),
                              schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 0.05, totalSteps: steps),
                              configuration: TrainingConfiguration(
                                  epochs: 1, gradientClipNorm: 5, labelSmoothing: 0.1,
                                  pixelNormalization: pixels ? PixelNormalization(mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.25]) : nil),
                              backend: backend)
        let batches = (0..<steps).map { step in
            let images = Tensor.normal([batch, 3, side, side], seed: UInt64(100 + step))
            return (images: pixels ? Tensor(shape: images.shape, storage: images.storage.map { min(255, max(0, ($0 * 60 + 128).rounded())) })
                        : images,
                    labels: (0..<batch).map { ($0 + step) % 3 })
        }
        var result = Steps()
        _ = try trainer.run(
            from: nil, trainBatches: { _, start in AnySequence(batches[start...].map { $0 }) }, batchesPerEpoch: steps,
            validationBatches: { AnySequence([]) }, shouldStop: { false },
            progress: { _, _, loss in
                result.losses.append(loss)
                if let transfers { result.transfers.append(transfers.snapshot) }
            },
            epochDone: { _, checkpoint in result.checkpoint = checkpoint })
        return result
    }

    static let models: [(String, @Sendable (any Backend, inout Random) -> Sequential)] = [
        // The CIFAR stem keeps 2×2 planes in the last stage: a batch norm over one pixel of two images
        // normalizes every value to ±1, and its input gradient is pure rounding noise on either device.
        ("ResNet-18", { ResNet18.make(classes: 3, inputSize: 16, width: 0.0625, stem: .cifar, backend: $0, random: &$1) }),
        ("MobileNetV2", { MobileNetV2.make(classes: 3, inputSize: 8, width: 0.25, backend: $0, random: &$1) }),
    ]

    /// One step with SGD and momentum, clipping, weight decay and label smoothing: the loss, every
    /// parameter, batch-norm statistic and momentum buffer (the first step's, so the clipped gradient
    /// plus decay) agree within 1e-4.
    @Test(arguments: 0..<2) func aWholeStepMatchesTheCPU(index: Int) throws {
        let (name, make) = Self.models[index]
        let gpu = try EmulatedGPU.backend()
        // Small, since the emulated device runs a block's threads as real threads: every barrier is a
        // round of thread switches. The layer tests cover odd shapes.
        let side = index == 0 ? 16 : 8
        let sgd: (any Backend) -> any Optimizer = { SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4, backend: $0) }
        let expected = try Self.train(make, on: CPUBackend.shared, steps: 1, batch: 2, side: side, optimizer: sgd)
        let actual = try Self.train(make, on: gpu, steps: 1, batch: 2, side: side, optimizer: sgd)
        #expect(actual.losses.count == 1 && expected.losses.count == 1)
        #expect(zip(actual.losses, expected.losses).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) },
                "\(name) losses \(actual.losses) vs \(expected.losses)")
        let (a, e) = (try #require(actual.checkpoint), try #require(expected.checkpoint))
        #expect(a.parameters.keys.sorted() == e.parameters.keys.sorted())
        for (key, values) in e.parameters {
            expectClose(Tensor(shape: [values.count], storage: a.parameters[key]!), Tensor(shape: [values.count], storage: values),
                        "\(name) \(key)")
        }
        for (key, values) in e.buffers {
            expectClose(Tensor(shape: [values.count], storage: a.buffers[key]!), Tensor(shape: [values.count], storage: values),
                        "\(name) buffer \(key)")
        }
        let (momentum, reference) = (a.optimizer.buffers["momentum"]!, e.optimizer.buffers["momentum"]!)
        for (values, expectedValues) in zip(momentum, reference) {
            expectClose(Tensor(shape: [values.count], storage: values), Tensor(shape: [values.count], storage: expectedValues),
                        "\(name) momentum")
        }
    }

    /// After the first step (which makes the optimizer's buffers), a step sends up the batch and its
    /// labels and reads back the loss and correct count: two copies up, one down, nothing else. Raw
    /// pixels go up a byte each.
    // Serialized: the cases count on one device (gpu:1, which no other test uses).
    @Test(.serialized, arguments: [false, true]) func aStepMovesOnlyTheBatchUpAndTheLossBack(pixels: Bool) throws {
        let gpu = try GPUBackend(kernels: EmulatedGPU.kernels(1))
        let (batch, side) = (2, 8)
        let steps = try Self.train(Self.models[1].1, on: gpu, steps: 3, batch: batch, side: side,
                                   optimizer: { AdamW(learningRate: 0.01, backend: $0) }, transfers: gpu.gpu.transfers, pixels: pixels)
        for (before, after) in zip(steps.transfers, steps.transfers.dropFirst()) {
            #expect(after.hostToDevice - before.hostToDevice == 2)
            #expect(after.hostToDeviceBytes - before.hostToDeviceBytes == batch * 3 * side * side * (pixels ? 1 : 4) + batch * 4)
            #expect(after.deviceToHost - before.deviceToHost == 1)
            #expect(after.deviceToHostBytes - before.deviceToHostBytes == 8)
        }
        #expect(steps.transfers.count == 3)
    }
}

/// A GPU run stopped part way and resumed from its checkpoint: on the same GPU it ends bit for bit
/// where an uninterrupted run ends (every kernel sums in a fixed order), and on the CPU within float
/// rounding of it.
struct GPUResumeTests {
    static func trainer(on backend: any Backend) -> Trainer {
        var random = Random(seed: 11)
        let model = SmallCNN.make(classes: 3, inputSize: 8, backend: backend, random: &random)
        backend.place(model)
        return Trainer(model: model, optimizer: AdamW(learningRate: 0.01, backend: backend),
                       schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: 0.01, totalSteps: 8),
                       configuration: TrainingConfiguration(epochs: 2), backend: backend)
    }

    static let batches: [Trainer.Batch] = (0..<4).map { step -> Trainer.Batch in
        let labels = [step % 3, (step + 1) % 3, (step + 2) % 3]
        return (images: Tensor.normal([3, 3, 8, 8], seed: UInt64(200 + step)), labels: labels)
    }

    /// Runs `trainer` from `checkpoint`, stopping before global step `stopAt` if given; the checkpoint it ends with.
    static func run(_ trainer: Trainer, from checkpoint: Checkpoint?, stopAt: Int? = nil) throws -> Checkpoint {
        var steps = checkpoint.map { $0.epoch * 4 + $0.batch } ?? 0
        var last: Checkpoint?
        let outcome = try trainer.run(
            from: checkpoint, trainBatches: { _, start in AnySequence(batches[start...].map { $0 }) }, batchesPerEpoch: 4,
            validationBatches: { AnySequence(batches.prefix(1)) }, shouldStop: { steps == stopAt },
            progress: { _, _, _ in steps += 1 }, epochDone: { _, checkpoint in last = checkpoint })
        if case .stopped(let checkpoint) = outcome { return checkpoint }
        return try #require(last)
    }

    @Test func aResumedGPURunEndsWhereAnUninterruptedOneDoes() throws {
        let gpu = try EmulatedGPU.backend()
        let uninterrupted = try Self.run(Self.trainer(on: gpu), from: nil)
        let stopped = try Self.run(Self.trainer(on: gpu), from: nil, stopAt: 5)
        #expect(stopped.epoch == 1 && stopped.batch == 1)
        #expect(try Self.run(Self.trainer(on: gpu), from: stopped) == uninterrupted)
        let onCPU = try Self.run(Self.trainer(on: CPUBackend.shared), from: stopped)
        for (key, values) in uninterrupted.parameters {
            expectClose(Tensor(shape: [values.count], storage: onCPU.parameters[key]!), Tensor(shape: [values.count], storage: values),
                        "resumed on the CPU: \(key)")
        }
    }
}

/// Two emulated GPUs training data-parallel, each a half of every batch, against one GPU on the whole
/// batch: synchronized batch norm, the whole batch's loss gradient and dropout masks that continue
/// across the halves make them equal but for the order of additions.
struct GPUDataParallelTests {
    static func trainer(on backends: [any Backend]) -> Trainer {
        let replicas = backends.map { backend in
            var random = Random(seed: 13)
            let model = SmallCNN.make(classes: 3, inputSize: 8, backend: backend, random: &random)
            backend.place(model)
            return Replica(model: model, optimizer: AdamW(learningRate: 0.01, backend: backend), backend: backend)
        }
        return Trainer(replicas: replicas, schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 0.01, totalSteps: 3),
                       configuration: TrainingConfiguration(epochs: 1, gradientClipNorm: 1, labelSmoothing: 0.1))
    }

    static func train(_ trainer: Trainer) throws -> (losses: [Float], checkpoint: Checkpoint) {
        let batches: [Trainer.Batch] = (0..<3).map { step in
            (images: Tensor.normal([4, 3, 8, 8], seed: UInt64(300 + step)), labels: (0..<4).map { ($0 + step) % 3 })
        }
        var losses: [Float] = []
        var last: Checkpoint?
        _ = try trainer.run(from: nil, trainBatches: { _, start in AnySequence(batches[start...].map { $0 }) }, batchesPerEpoch: 3,
                            validationBatches: { AnySequence([]) }, shouldStop: { false },
                            progress: { _, _, loss in losses.append(loss) }, epochDone: { _, checkpoint in last = checkpoint })
        return (losses, try #require(last))
    }

    @Test func twoGPUsTrainAsOneOnTheWholeBatch() throws {
        let one = try Self.train(Self.trainer(on: [GPUBackend(kernels: EmulatedGPU.kernels(0))]))
        let two = try Self.train(Self.trainer(on: [GPUBackend(kernels: EmulatedGPU.kernels(0)), GPUBackend(kernels: EmulatedGPU.kernels(2))]))
        #expect(two.losses.count == 3)
        #expect(zip(two.losses, one.losses).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "\(two.losses) vs \(one.losses)")
        for (key, values) in one.checkpoint.parameters {
            expectClose(Tensor(shape: [values.count], storage: two.checkpoint.parameters[key]!), Tensor(shape: [values.count], storage: values),
                        "two GPUs: \(key)")
        }
        for (key, values) in one.checkpoint.buffers {
            expectClose(Tensor(shape: [values.count], storage: two.checkpoint.buffers[key]!), Tensor(shape: [values.count], storage: values),
                        "two GPUs: buffer \(key)")
        }
    }
}
