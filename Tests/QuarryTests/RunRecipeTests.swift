import Learn
@testable import Quarry
import Testing

/// `RunRecipe` turns a configuration into a trainer: on several backends, a replica on each, every one
/// starting from the seed's weights.
struct RunRecipeTests {
    @Test func severalBackendsGetReplicasThatStartAlike() throws {
        var config = ExperimentConfig(name: "x")
        (config.model, config.imageSize, config.seed) = (.smallCNN, 8, 9)
        let recipe = RunRecipe(config: config, classes: 3, batchesPerEpoch: 4)
        let trainer = try recipe.trainer(on: [CPUBackend.shared, CPUBackend.shared, CPUBackend.shared])
        #expect(trainer.replicas.count == 3)
        #expect(Set(trainer.replicas.map { ObjectIdentifier($0.model) }).count == 3, "each replica has a model of its own")
        let weights = try trainer.replicas.map { try $0.model.parameters.flatMap { try $0.value.hostValues() } }
        #expect(weights.allSatisfy { $0 == weights[0] })
        #expect(try recipe.model().parameters.flatMap { try $0.value.hostValues() } == weights[0], "evaluation rebuilds the same model")
    }

    /// Every replica starts from the file's backbone, with a new head, and the backbone keeps its own pace.
    @Test func pretrainedWeightsStartEveryReplicaAndPaceTheBackbone() throws {
        var config = ExperimentConfig(name: "x")
        (config.model, config.imageSize, config.pretrained) = (.resnet18, 128, "imagenet")
        (config.freezeBackboneEpochs, config.backboneLearningRateScale) = (1, 0.1)
        try config.validate()
        var random = Random(seed: 42)
        let source = ResNet18.make(classes: 1000, inputSize: 128, random: &random)
        var recipe = RunRecipe(config: config, classes: 3, batchesPerEpoch: 2)
        recipe.pretrained = try PretrainedWeights.stateDict(of: source, backbone: .resnet18)
        let trainer = try recipe.trainer(on: [CPUBackend.shared, CPUBackend.shared])
        let backbone = try source.parameters.dropLast(2).map { try $0.value.hostValues() }
        for replica in trainer.replicas {
            #expect(try replica.model.parameters.dropLast(2).map { try $0.value.hostValues() } == backbone)
            #expect(replica.model.parameters.last?.value.shape == [3], "a new head for the project's three classes")
        }
        #expect(trainer.configuration.backbone == BackboneTraining(parameters: Array(0..<backbone.count), learningRateScale: 0.1, frozenEpochs: 1))
    }

    @Test func pretrainedSettingsAreCheckedAgainstTheModel() {
        func refusal(_ change: (inout ExperimentConfig) -> Void) -> ExperimentError? {
            var config = ExperimentConfig(name: "x")
            (config.model, config.imageSize, config.pretrained) = (.resnet18, 128, "imagenet")
            change(&config)
            do { try config.validate() } catch { return error }
            return nil
        }
        #expect(refusal { _ in } == nil)
        #expect(refusal { $0.model = .smallCNN } == .invalid(field: "pretrained", reason: "small_cnn has no pretrained backbone"))
        #expect(refusal { $0.width = 0.5 }.map { if case .invalid("width", _) = $0 { true } else { false } } == true)
        #expect(refusal { $0.imageSize = 64 }.map { if case .invalid("stem", _) = $0 { true } else { false } } == true)
        #expect(refusal { ($0.model, $0.imageSize) = (.mobileNetV2, 64) } == nil, "MobileNetV2's stems share their weights")
        #expect(refusal { ($0.pretrained, $0.freezeBackboneEpochs) = (nil, 2) }
                == .invalid(field: "freeze_backbone_epochs", reason: "needs pretrained weights to freeze"))
        #expect(refusal { $0.freezeBackboneEpochs = 11 } == .invalid(field: "freeze_backbone_epochs", reason: "must be from 0 to the epochs"))
        #expect(refusal { $0.backboneLearningRateScale = 0 } == .invalid(field: "backbone_lr_scale", reason: "must be above 0 and at most 10"))
    }
}
