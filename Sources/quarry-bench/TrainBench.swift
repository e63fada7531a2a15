import Foundation
import Learn

/// Training throughput of a zoo model on random images: the same step the trainer takes (zero
/// gradients, forward, softmax cross-entropy, backward, SGD with momentum 0.9), after warm-up steps
/// so that buffers and thread pools exist before the clock starts.
///
///     quarry-bench train MODEL SIDE BATCH STEPS     images/s, MODEL resnet18, mobilenet_v2 or small_cnn
enum TrainBench {
    /// images/s of `steps` training steps on `backend`, after warm-up steps, or nil for an unknown model.
    static func run(model name: String, side: Int, batch: Int, steps: Int, on backend: any Backend = CPUBackend.shared)
        throws -> Double? {
        let classes = 10
        guard let model = model(name, classes: classes, side: side, backend: backend) else { return nil }
        var random = Random(seed: 1)
        let images = Tensor(shape: [batch, 3, side, side], storage: (0..<batch * 3 * side * side).map { _ in random.normal() })
        let labels = (0..<batch).map { $0 % classes }
        let optimizer = SGD(learningRate: 0.01, momentum: 0.9, backend: backend)
        let parameters = model.parameters
        // The trainer's step: the loss is read back each step, where a device reports its failures.
        func step() throws {
            for parameter in parameters { backend.zero(&parameter.gradient) }
            let result = backend.softmaxCrossEntropy(model.forward(backend.upload(images), training: true), labels: labels,
                                                     labelSmoothing: 0)
            try backend.synchronize()
            model.accumulateGradients(result.gradient)
            optimizer.step(parameters)
        }
        for _ in 0..<2 { try step() }
        return Double(batch * steps) / (try Stopwatch.seconds {
            for _ in 0..<steps { try step() }
            try backend.synchronize()
        })
    }

    /// A zoo model by its configuration name, ImageNet stems as the PyTorch references have them, on `backend`.
    static func model(_ name: String, classes: Int, side: Int, backend: any Backend) -> Sequential? {
        var random = Random(seed: 0)
        let model: Sequential
        switch name {
        case "resnet18": model = ResNet18.make(classes: classes, inputSize: side, stem: .imagenet, backend: backend, random: &random)
        case "mobilenet_v2": model = MobileNetV2.make(classes: classes, inputSize: side, stem: .imagenet, backend: backend, random: &random)
        case "small_cnn": model = SmallCNN.make(classes: classes, inputSize: side, backend: backend, random: &random)
        default: return nil
        }
        backend.place(model)
        return model
    }
}
