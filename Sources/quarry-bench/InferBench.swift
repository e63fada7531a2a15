import Foundation
import Learn

/// Inference throughput of torchvision's ResNet-18 in our engine (the compiled evaluation path,
/// `InferenceModel`, on random images, after a warm-up batch), and the same model written as ONNX (simplified, symbolic batch)
/// for onnxruntime to be timed on in the same run.
///
///     quarry-bench infer SIDE BATCH STEPS FILE     images/s; the model is written to FILE
enum InferBench {
    static func run(side: Int, batch: Int, steps: Int, file: String) throws -> Double {
        var random = Random(seed: 0)
        let model = ResNet18.make(classes: 1000, inputSize: side, stem: .imagenet, random: &random)
        var options = ONNXExport.Options(inputShape: [batch, 3, side, side])
        options.simplify = true
        try Data(try ONNXExport.export(model, options: options)).write(to: URL(fileURLWithPath: file))
        let images = Tensor(shape: [batch, 3, side, side], storage: (0..<batch * 3 * side * side).map { _ in random.normal() })
        let compiled = try InferenceModel(model, backend: CPUBackend.shared)
        _ = compiled.forward(images)
        return Double(batch * steps) / Stopwatch.seconds { for _ in 0..<steps { _ = compiled.forward(images) } }
    }
}
