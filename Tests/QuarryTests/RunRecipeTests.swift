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
        let trainer = recipe.trainer(on: [CPUBackend.shared, CPUBackend.shared, CPUBackend.shared])
        #expect(trainer.replicas.count == 3)
        #expect(Set(trainer.replicas.map { ObjectIdentifier($0.model) }).count == 3, "each replica has a model of its own")
        let weights = try trainer.replicas.map { try $0.model.parameters.flatMap { try $0.value.hostValues() } }
        #expect(weights.allSatisfy { $0 == weights[0] })
        #expect(try recipe.model().parameters.flatMap { try $0.value.hostValues() } == weights[0], "evaluation rebuilds the same model")
    }
}
