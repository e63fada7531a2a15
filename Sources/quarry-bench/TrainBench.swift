import Foundation
import Learn

/// Training throughput of a zoo model on random images: the same step the trainer takes (zero
/// gradients, forward, softmax cross-entropy, backward, SGD with momentum 0.9), after warm-up steps
/// so that buffers and thread pools exist before the clock starts.
///
///     quarry-bench train MODEL SIDE BATCH STEPS     images/s, MODEL resnet18, mobilenet_v2 or small_cnn
enum TrainBench {
    static func run(model name: String, side: Int, batch: Int, steps: Int) -> Double? {
        var random = Random(seed: 0)
        let classes = 10
        let model: Sequential
        switch name {
        case "resnet18": model = ResNet18.make(classes: classes, inputSize: side, stem: .imagenet, random: &random)
        case "mobilenet_v2": model = MobileNetV2.make(classes: classes, inputSize: side, stem: .imagenet, random: &random)
        case "small_cnn": model = SmallCNN.make(classes: classes, inputSize: side, random: &random)
        default: return nil
        }
        let images = Tensor(shape: [batch, 3, side, side], storage: (0..<batch * 3 * side * side).map { _ in random.normal() })
        let labels = (0..<batch).map { $0 % classes }
        let optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        let criterion = SoftmaxCrossEntropy()
        let parameters = model.parameters
        func step() {
            for parameter in parameters { parameter.zeroGradient() }
            let (_, gradient) = criterion(model.forward(images, training: true), labels: labels)
            model.accumulateGradients(gradient)
            optimizer.step(parameters)
        }
        for _ in 0..<2 { step() }
        let started = ContinuousClock.now
        for _ in 0..<steps { step() }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(batch * steps) / seconds
    }
}
