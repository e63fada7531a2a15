import Foundation
import Learn

/// The detector's throughput on random images with fixed boxes: training steps (zero gradients, forward,
/// FCOS's loss on the host, backward, SGD with momentum 0.9, as the classification figure takes them) and
/// inference (forward and decoding), the latter beside the same model exported to ONNX (decoding and
/// NonMaxSuppression in the graph) for onnxruntime. The class biases start at −8 for inference, so that an
/// untrained model's near-uniform scores do not turn the figure into a measure of suppression.
///
///     quarry-bench detect-train SIDE BATCH STEPS          images/s of fcos_resnet18, width 1, ImageNet stem
///     quarry-bench detect-infer SIDE BATCH STEPS FILE     images/s; the model is written to FILE
enum DetectionBench {
    static func model(side: Int) -> FCOS {
        var random = Random(seed: 0)
        return FCOS.make(classes: 10, backbone: .resnet18, inputSize: side, stem: .imagenet, random: &random)
    }

    static func images(_ batch: Int, _ side: Int) -> Tensor {
        var random = Random(seed: 1)
        return Tensor(shape: [batch, 3, side, side], storage: (0..<batch * 3 * side * side).map { _ in random.normal() })
    }

    static func train(side: Int, batch: Int, steps: Int) throws -> Double {
        let model = model(side: side)
        let images = images(batch, side)
        let s = Float(side)
        let boxes = (0..<batch).map { n in
            [LabeledBox(classIndex: n % 10, x1: s * 0.1, y1: s * 0.2, x2: s * 0.5, y2: s * 0.6),
             LabeledBox(classIndex: (n + 3) % 10, x1: s * 0.55, y1: s * 0.5, x2: s * 0.9, y2: s * 0.95)]
        }
        let loss = FCOSLoss(classes: model.classes, stride: model.stride)
        let optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        let parameters = model.parameters
        func step() {
            for parameter in parameters { parameter.zeroGradient() }
            let output = model.forward(images, training: true)
            model.accumulateGradients(output.replacingValues(loss(output.storage, shape: output.shape, boxes: boxes).gradient))
            optimizer.step(parameters)
        }
        for _ in 0..<2 { step() }
        return Double(batch * steps) / Stopwatch.seconds { for _ in 0..<steps { step() } }
    }

    static func infer(side: Int, batch: Int, steps: Int, file: String) throws -> Double {
        let model = model(side: side)
        let head = model.parameters[model.parameters.count - 1]
        head.value.storage = head.value.storage.enumerated().map { $0.offset < model.classes ? -8 : $0.element }
        var options = ONNXExport.Options(inputShape: [batch, 3, side, side])
        options.simplify = true
        try Data(try ONNXExport.export(model, options: options)).write(to: URL(fileURLWithPath: file))
        let images = images(batch, side)
        let decoder = FCOSDecoder(classes: model.classes, stride: model.stride)
        let compiled = try InferenceModel(model, backend: CPUBackend.shared)
        func detect() {
            let output = compiled.forward(images)
            _ = decoder.decode(output.storage, shape: output.shape, imageWidth: side, imageHeight: side)
        }
        detect()
        return Double(batch * steps) / Stopwatch.seconds { for _ in 0..<steps { detect() } }
    }
}
