import Learn
import Testing

/// Restoring a checkpoint into a model: same architecture reproduces it, another one is refused.
struct CheckpointRestoreTests {
    typealias T = CheckpointTesting

    @Test func aFreshModelOfTheSameArchitectureReproducesOutputsExactly() throws {
        let (trained, optimizer) = T.trainedModel(seed: 5)
        let checkpoint = try Checkpoint(model: trained, optimizer: optimizer, epoch: 1, batch: 0, random: Random(seed: 1),
                                    metadata: [:])
        let fresh = T.model(seed: 77)
        let freshOptimizer = SGD(learningRate: 0.1, momentum: 0.9)
        try checkpoint.restore(into: fresh, optimizer: freshOptimizer)
        #expect(T.bits(fresh) == T.bits(trained))
        #expect(try freshOptimizer.savedState() == optimizer.savedState())
        let (images, _) = TrainingSanityTests.bars(count: 4, seed: 9)
        // Evaluation reads the running statistics; training draws dropout masks from the restored stream.
        #expect(T.bits(fresh.forward(images, training: false).storage) == T.bits(trained.forward(images, training: false).storage))
        #expect(T.bits(fresh.forward(images, training: true).storage) == T.bits(trained.forward(images, training: true).storage))
    }

    @Test func anotherArchitectureIsRefusedNamingTheFirstMismatch() throws {
        let (trained, optimizer) = T.trainedModel(seed: 5)
        let checkpoint = try Checkpoint(model: trained, optimizer: optimizer, epoch: 0, batch: 0, random: Random(seed: 1),
                                    metadata: [:])
        let wider = T.model(seed: 5, classes: 3)
        let before = T.bits(wider)
        #expect(throws: CheckpointError.mismatch("parameter 7.weight has 8 values, the model's has 12")) {
            try checkpoint.restore(into: wider, optimizer: SGD(learningRate: 0.1, momentum: 0.9))
        }
        #expect(T.bits(wider) == before, "nothing is restored when anything does not fit")

        var random = Random(seed: 5)
        let smaller = SmallCNN.make(classes: 2, inputSize: 8, channels: 1, random: &random)
        #expect(throws: CheckpointError.mismatch("parameter 0.weight has 36 values, the model's has 288")) {
            try checkpoint.restore(into: smaller, optimizer: SGD(learningRate: 0.1))
        }

        var extra = checkpoint
        extra.buffers["9.runningMean"] = [0]
        #expect(throws: CheckpointError.mismatch("buffer 9.runningMean is not in the model")) {
            try extra.restore(into: T.model(seed: 5), optimizer: SGD(learningRate: 0.1, momentum: 0.9))
        }
        var short = checkpoint
        short.optimizer.buffers["momentum"]?.removeLast()
        #expect(throws: CheckpointError.mismatch("optimizer buffer momentum has 8 arrays for 9 parameters")) {
            try short.restore(into: T.model(seed: 5), optimizer: SGD(learningRate: 0.1, momentum: 0.9))
        }
    }

    @Test func anotherKindOfOptimizersStateIsRefused() throws {
        let (trained, optimizer) = T.trainedModel(seed: 5)
        let checkpoint = try Checkpoint(model: trained, optimizer: optimizer, epoch: 0, batch: 0, random: Random(seed: 1),
                                    metadata: [:])
        #expect(throws: CheckpointError.mismatch("optimizer buffer momentum belongs to another kind of optimizer")) {
            try checkpoint.restore(into: T.model(seed: 5), optimizer: AdamW(learningRate: 0.001))
        }
    }

    /// Evaluations and exports restore the model alone: whatever optimizer trained it, its state is not loaded.
    @Test func withoutAnOptimizerOnlyTheModelIsRestored() throws {
        let (trained, optimizer) = T.trainedModel(seed: 5)
        let checkpoint = try Checkpoint(model: trained, optimizer: optimizer, epoch: 0, batch: 0, random: Random(seed: 1),
                                        metadata: [:])
        let fresh = T.model(seed: 77)
        try checkpoint.restore(into: fresh, optimizer: nil)
        #expect(T.bits(fresh) == T.bits(trained))
    }

    @Test func namesFollowParameterOrderAndStatefulLayers() {
        let model = T.model(seed: 1)
        #expect(ParameterNaming.parameterNames(model) == ["0.weight", "1.bias", "2.gamma", "3.beta", "4.weight",
                                                          "5.gamma", "6.beta", "7.weight", "8.bias"])
        #expect(ParameterNaming.statefulLayers(model).count == 3)
    }
}
