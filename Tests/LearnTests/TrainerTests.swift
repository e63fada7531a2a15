import Foundation
import Learn
import Testing

/// The training loop on the bars problem: it learns, evaluates consistently, and a run stopped
/// in the middle of an epoch resumes to exactly the weights of a run that never stopped.
struct TrainerTests {
    typealias T = CheckpointTesting
    static let train = TrainingSanityTests.bars(count: 128, seed: 11)
    static let validation = TrainingSanityTests.bars(count: 64, seed: 12)
    static let batchSize = 16
    static let batchesPerEpoch = 8

    static func trainer(seed: UInt64, epochs: Int) -> Trainer {
        let schedule = LearningRateSchedule(kind: .cosine, baseLearningRate: 0.1, totalSteps: epochs * batchesPerEpoch,
                                            warmupSteps: 4)
        return Trainer(model: T.model(seed: seed), optimizer: SGD(learningRate: 0, momentum: 0.9),
                       schedule: schedule,
                       configuration: TrainingConfiguration(epochs: epochs, gradientClipNorm: 5, labelSmoothing: 0.05))
    }

    /// Runs `trainer` and returns how it ended and every epoch's metrics.
    static func run(_ trainer: Trainer, from checkpoint: Checkpoint? = nil, stopAt stop: Int? = nil) throws
        -> (outcome: Trainer.Outcome, metrics: [EpochMetrics], losses: [Float]) {
        var metrics: [EpochMetrics] = []
        var losses: [Float] = []
        var polls = 0
        let outcome = try trainer.run(
            from: checkpoint,
            trainBatches: { T.batches(train, size: batchSize, epoch: $0, start: $1) },
            batchesPerEpoch: batchesPerEpoch,
            validationBatches: { T.batches(validation, size: batchSize, epoch: 0, start: 0) },
            shouldStop: {
                polls += 1
                return polls - 1 == stop
            },
            progress: { _, _, loss in losses.append(loss) },
            epochDone: { epochMetrics, _ in metrics.append(epochMetrics) })
        return (outcome, metrics, losses)
    }

    @Test func learnsBarsAndEvaluatesConsistently() throws {
        let trainer = Self.trainer(seed: 3, epochs: 6)
        let (outcome, metrics, losses) = try Self.run(trainer)
        guard case .completed = outcome else { Issue.record("stopped"); return }
        #expect(metrics.map(\.epoch) == Array(0..<6))
        #expect(losses.count == 6 * Self.batchesPerEpoch)
        #expect(metrics[5].trainLoss < metrics[0].trainLoss / 2, "\(metrics.map(\.trainLoss))")
        #expect((metrics[5].validationAccuracy ?? 0) >= 0.9, "\(metrics.map(\.validationAccuracy))")

        let result = try trainer.evaluate(T.batches(Self.validation, size: Self.batchSize, epoch: 0, start: 0))
        let labels = T.batches(Self.validation, size: Self.batchSize, epoch: 0, start: 0).flatMap(\.labels)
        #expect(result.predictions.count == 64 && result.confidences.count == 64)
        let correct = zip(result.predictions, labels).filter { $0 == $1 }.count
        #expect(result.accuracy == Float(correct) / 64)
        #expect(result.accuracy == metrics[5].validationAccuracy)
        #expect(result.loss == metrics[5].validationLoss)
        #expect(result.confidences.allSatisfy { $0 >= 0.5 && $0 <= 1 }, "the arg-max of two classes has at least half")
    }

    @Test func aStoppedRunResumesToExactlyTheUninterruptedWeights() throws {
        let straight = Self.trainer(seed: 3, epochs: 3)
        let uninterrupted = try Self.run(straight)

        // The 12th poll is before batch 3 of epoch 1 (the second epoch).
        let first = Self.trainer(seed: 3, epochs: 3)
        let stopped = try Self.run(first, stopAt: Self.batchesPerEpoch + 3)
        guard case .stopped(let checkpoint) = stopped.outcome else { Issue.record("did not stop"); return }
        #expect(checkpoint.epoch == 1 && checkpoint.batch == 3)
        #expect(stopped.metrics.count == 1)

        // Through a file, into a trainer built from another seed: everything must come from the checkpoint.
        let path = NSTemporaryDirectory() + "trainer-resume-\(UUID().uuidString).ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CheckpointFile.write(checkpoint, to: path)
        let resumed = Self.trainer(seed: 4, epochs: 3)
        let rest = try Self.run(resumed, from: try CheckpointFile.read(from: path))
        guard case .completed = rest.outcome else { Issue.record("stopped again"); return }

        #expect(T.bits(resumed.model) == T.bits(straight.model))
        let end = { (trainer: Trainer) in
            try Checkpoint(model: trainer.model, optimizer: trainer.optimizer, epoch: 0, batch: 0, random: trainer.random, metadata: [:])
        }
        #expect(try end(resumed) == end(straight), "buffers and optimizer state too")
        #expect(stopped.losses + rest.losses == uninterrupted.losses)
        let results = { (metrics: [EpochMetrics]) in
            metrics.map { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss, $0.validationAccuracy, $0.learningRate] }
        }
        #expect(results(stopped.metrics + rest.metrics) == results(uninterrupted.metrics))
    }
}
