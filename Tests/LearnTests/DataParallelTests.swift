import Foundation
@testable import Learn
import Testing

/// Data-parallel training on CPU replicas (the GPU version is in LearnGPUTests): the replicas' sums make
/// them compute what one model does on the whole batch, whatever the split.
struct DataParallelTests {
    typealias T = CheckpointTesting
    static let data = TrainingSanityTests.bars(count: 96, seed: 21)

    @Test func aGroupSumsEveryRoundInMemberOrder() {
        let group = ReplicaGroup(size: 3)
        let results = group.run { member in
            (0..<40).map { round in
                let doubles = group.member(member).sum([Double(member * 100 + round), 1])
                let floats = group.member(member).sum([Float(member)])
                return doubles + floats.map(Double.init)
            }
        }
        for round in 0..<40 {
            let expected: [Double] = [Double(300 + 3 * round), 3, 3]
            #expect(results.allSatisfy { $0[round] == expected }, "round \(round)")
        }
    }

    /// `replicas` CPU replicas of the checkpoint tests' model (batch norm, a residual, dropout), SGD with
    /// momentum, clipping and label smoothing, trained `epochs` on batches of `batchSize`.
    static func train(replicas count: Int, batchSize: Int, epochs: Int = 2) throws -> (trainer: Trainer, losses: [Float]) {
        let replicas = (0..<count).map { _ in
            Replica(model: T.model(seed: 5), optimizer: SGD(learningRate: 0, momentum: 0.9, nesterov: true, weightDecay: 1e-4),
                    backend: CPUBackend.shared)
        }
        let batches = data.labels.count / batchSize
        let trainer = Trainer(replicas: replicas,
                              schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: 0.1, totalSteps: epochs * batches),
                              configuration: TrainingConfiguration(epochs: epochs, gradientClipNorm: 1, labelSmoothing: 0.1))
        var losses: [Float] = []
        _ = try trainer.run(from: nil, trainBatches: { T.batches(data, size: batchSize, epoch: $0, start: $1) },
                            batchesPerEpoch: batches, validationBatches: { AnySequence([]) }, shouldStop: { false },
                            progress: { _, _, loss in losses.append(loss) }, epochDone: { _, _ in })
        return (trainer, losses)
    }

    static func state(_ model: any Layer) throws -> [Float] {
        try model.parameters.flatMap { try $0.value.hostValues() }
            + ParameterNaming.statefulLayers(model).flatMap { try $0.buffers.flatMap { try $0.tensor.hostValues() } }
    }

    @Test(arguments: [(2, 16), (3, 16), (3, 2)])
    func replicasTrainAsOneModelOnTheWholeBatch(replicas: Int, batchSize: Int) throws {
        let (alone, expectedLosses) = try Self.train(replicas: 1, batchSize: batchSize)
        let (together, losses) = try Self.train(replicas: replicas, batchSize: batchSize)
        #expect(losses.count == expectedLosses.count && !losses.isEmpty)
        for (loss, expected) in zip(losses, expectedLosses) {
            #expect(abs(loss - expected) <= 1e-4 * max(1, abs(expected)), "\(loss) against \(expected)")
        }
        let expected = try Self.state(alone.model)
        let first = try Self.state(together.model)
        let worst = zip(first, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst <= 1e-4, "parameters and buffers differ by \(worst)")
        // Every replica applied the same sums, so they hold the same bits, a replica left without a
        // slice (batches of 2 over 3) included.
        for replica in together.replicas.dropFirst() { #expect(try Self.state(replica.model) == first) }
    }
}
