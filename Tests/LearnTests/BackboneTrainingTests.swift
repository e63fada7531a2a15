import Foundation
import Testing
@testable import Learn

/// Parameters that learn slower or not at all: optimizers scale each parameter's rate, and a trainer keeps a
/// backbone frozen for its first epochs.
struct BackboneTrainingTests {
    static func parameter(_ values: [Float], gradient: [Float], scale: Float) -> Parameter {
        let parameter = Parameter(name: "w", value: Tensor(shape: [values.count], storage: values))
        parameter.gradient = Tensor(shape: [gradient.count], storage: gradient)
        parameter.learningRateScale = scale
        return parameter
    }

    /// A scaled parameter moves as it would at the scaled rate; a frozen one, and its optimizer state, not at all.
    @Test(arguments: ["sgd", "adamw"])
    func optimizersScaleEachParametersRate(kind: String) throws {
        func optimizer(_ learningRate: Float) -> any Optimizer {
            kind == "sgd" ? SGD(learningRate: learningRate, momentum: 0.9, weightDecay: 0.01) : AdamW(learningRate: learningRate)
        }
        let (values, gradient): ([Float], [Float]) = ([1, -2, 0.5], [0.3, -0.1, 2])
        let (scaled, frozen, reference) = (Self.parameter(values, gradient: gradient, scale: 0.25),
                                           Self.parameter(values, gradient: gradient, scale: 0),
                                           Self.parameter(values, gradient: gradient, scale: 1))
        let (full, quarter) = (optimizer(0.1), optimizer(0.025))
        for _ in 0..<3 {
            full.step([scaled, frozen])
            quarter.step([reference])
        }
        #expect(try scaled.value.hostValues() == reference.value.hostValues())
        #expect(try frozen.value.hostValues() == values)
        let state = try full.savedState()
        for buffer in state.buffers.values { #expect(buffer[1].allSatisfy { $0 == 0 }, "a frozen parameter's state stays as it began") }
    }

    /// The bars problem with everything but the last layer as the "backbone", frozen for the first epoch.
    @Test func aFrozenBackboneHoldsStillUntilItsEpochsEnd() throws {
        let model = CheckpointTesting.model(seed: 3)
        let parameters = model.parameters
        let backbone = Array(parameters.indices.dropLast(2))
        var configuration = TrainingConfiguration(epochs: 2)
        configuration.backbone = BackboneTraining(parameters: backbone, learningRateScale: 0.5, frozenEpochs: 1)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0, momentum: 0.9),
                              schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 0.1, totalSteps: 16), configuration: configuration)
        let before = try parameters.map { try $0.value.hostValues() }
        var afterFirst: [[Float]] = []
        _ = try trainer.run(
            from: nil, trainBatches: { CheckpointTesting.batches(TrainerTests.train, size: TrainerTests.batchSize, epoch: $0, start: $1) },
            batchesPerEpoch: TrainerTests.batchesPerEpoch,
            validationBatches: { CheckpointTesting.batches(TrainerTests.validation, size: TrainerTests.batchSize, epoch: 0, start: 0) },
            shouldStop: { false }, progress: { _, _, _ in },
            epochDone: { metrics, _ in if metrics.epoch == 0 { afterFirst = parameters.map { try! $0.value.hostValues() } } })
        for index in backbone { #expect(afterFirst[index] == before[index], "parameter \(index) moved while frozen") }
        for index in parameters.indices.suffix(2) { #expect(afterFirst[index] != before[index], "the head learns from the start") }
        #expect(try backbone.contains { try parameters[$0].value.hostValues() != afterFirst[$0] }, "the backbone learns once thawed")
        #expect(backbone.allSatisfy { parameters[$0].learningRateScale == 0.5 })
    }
}
