import Foundation
import Learn
import Testing

/// The detector's layers and a short training on drawn boxes.
struct FCOSTests {
    @Test(arguments: Backbone.allCases) func shapesAndStride(backbone: Backbone) {
        var random = Random(seed: 1)
        let model = FCOS.make(classes: 3, backbone: backbone, inputSize: 128, width: 0.25, random: &random)
        #expect(model.stride == 8)
        #expect(model.forward(ModelTests.images(2, 128, seed: 2), training: true).shape == [2, 8, 16, 16])
        // Every parameter is reached by the pyramid and head's backward, and none more than once.
        #expect(Set(model.parameters.map { ObjectIdentifier($0) }).count == model.parameters.count)
    }

    @Test func gradients() {
        var random = Random(seed: 3)
        // A pyramid as narrow as the backbone (make keeps 64 channels at least), so rounding stays small.
        let backbone = ResNet18.features(inputSize: 8, width: 0.0625, stem: .cifar, random: &random)
        let model = FCOS(classes: 2, backbone: backbone, pyramidChannels: 8, random: &random)
        #expect(model.stride == 2)
        // The head starts nearly silent (weights / 100), which would leave the check only rounding to
        // compare: give it weights of the backbone's scale.
        let head = model.parameters[model.parameters.count - 2]
        let deviation = (2 / Float(head.value.shape[0] * 9)).squareRoot()
        head.value.storage = Tensor.normal(head.value.shape, seed: 9).storage.map { $0 * deviation }
        let (failures, kinked) = GradientCheck.sampledFailures(of: EvaluationMode(model), input: ModelTests.images(1, 8, seed: 4),
                                                                coordinates: 150)
        #expect(failures.isEmpty, "\(failures)")
        // Every coordinate moves many ReLUs of the pyramid and tower at once, so more sit near a kink than
        // in a classifier; at least half are compared.
        #expect(kinked <= 75, "\(kinked) of 150 coordinates sat on a kink")
    }

    @Test func classPriorStartsTheScoresLow() {
        var random = Random(seed: 5)
        let model = FCOS.make(classes: 2, backbone: .mobileNetV2, inputSize: 64, width: 0.25, random: &random)
        let output = model.forward(ModelTests.images(1, 64, seed: 6), training: false)
        let logits = output.storage[0..<2 * 64]
        #expect(logits.allSatisfy { abs(1 / (1 + exp(-$0)) - 0.01) < 0.01 })
    }

    /// Bright and dark squares on noise: after a short training the detector finds nearly every one.
    @Test func learnsToFindDrawnSquares() throws {
        let (trainer, losses) = try DrawnSquares.train(epochs: 30)
        #expect(losses.last! < losses.first! / 3, "\(losses)")
        let found = try trainer.evaluateDetections(AnySequence((0..<DrawnSquares.batches).map(DrawnSquares.batch)))
        var matched = 0
        for (detections, boxes) in zip(found.detections, DrawnSquares.truths) {
            matched += boxes.filter { truth in
                detections.contains { $0.score > 0.3 && $0.box.classIndex == truth.classIndex && $0.box.iou(truth) >= 0.5 }
            }.count
        }
        let total = DrawnSquares.truths.reduce(0) { $0 + $1.count }
        #expect(Double(matched) >= 0.9 * Double(total), "found \(matched) of \(total)")
    }
}
