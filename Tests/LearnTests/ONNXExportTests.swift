import Foundation
@testable import Learn
import Testing

/// Every model of the zoo, exported at every opset with and without `simplify`, judged by the ONNX
/// project's own tools: `onnx.checker.check_model(full_check=True)` must accept the file, and
/// onnxruntime must compute what `forward` computes in evaluation mode, within 1e-4, at batch 1 and 7.
struct ONNXExportTests {
    struct Case: Encodable {
        let name: String
        let model: String
        let inputs: [String]
        let outputs: [String]
        let shapes: [[Int]]
    }

    struct Verdict: Decodable {
        let name: String
        let error: String?
        let worst: Float?
    }

    /// Small widths keep the files small; the structure is the full model's.
    static func models() -> [(String, Sequential, Int)] {
        var random = Random(seed: 11)
        return [("small_cnn", SmallCNN.make(classes: 5, inputSize: 16, random: &random), 16),
                ("resnet18_cifar", ResNet18.make(classes: 7, inputSize: 32, width: 0.25, stem: .cifar, random: &random), 32),
                ("resnet18_imagenet", ResNet18.make(classes: 4, inputSize: 64, width: 0.25, stem: .imagenet, random: &random), 64),
                ("mobilenet_v2", MobileNetV2.make(classes: 6, inputSize: 32, width: 0.25, stem: .imagenet, random: &random), 32)]
    }

    /// Batch-norm statistics and affine terms away from 1 and 0, so that folding them shows.
    static func perturb(_ layer: any Layer, _ random: inout Random) {
        switch layer {
        case let container as any ContainerLayer: for inner in container.children { perturb(inner, &random) }
        case let norm as BatchNorm2DLayer:
            let n = norm.channels
            norm.runningMean = Tensor(shape: [n], storage: (0..<n).map { _ in random.normal() * 0.3 })
            norm.runningVariance = Tensor(shape: [n], storage: (0..<n).map { _ in 0.5 + random.uniform() })
            norm.gamma.value = Tensor(shape: [n], storage: (0..<n).map { _ in 0.5 + random.uniform() })
            norm.beta.value = Tensor(shape: [n], storage: (0..<n).map { _ in random.normal() * 0.2 })
        default: break
        }
    }

    @Test func everyModelOpsetAndSimplificationRunsInOnnxruntimeAsInQuarry() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = Random(seed: 5)
        var cases: [Case] = []
        for (name, model, side) in Self.models() {
            Self.perturb(model, &random)
            var inputs: [String] = [], outputs: [String] = [], shapes: [[Int]] = []
            for batch in [1, 7] {
                let input = Tensor(shape: [batch, 3, side, side], storage: (0..<batch * 3 * side * side).map { _ in random.normal() })
                let output = model.forward(input, training: false)
                let stem = "\(name)-\(batch)"
                try Data(input.storage.withUnsafeBytes { Array($0) }).write(to: directory.appendingPathComponent("\(stem).in"))
                try Data(output.storage.withUnsafeBytes { Array($0) }).write(to: directory.appendingPathComponent("\(stem).out"))
                inputs.append("\(stem).in")
                outputs.append("\(stem).out")
                shapes.append(input.shape)
            }
            for opset in ONNXExport.opsets {
                for simplify in [false, true] {
                    var options = ONNXExport.Options(inputShape: [1, 3, side, side])
                    (options.opset, options.simplify) = (opset, simplify)
                    options.metadata = [("classes", "[]"), ("input_size", "\(side)")]
                    let file = "\(name)-\(opset)-\(simplify ? "simple" : "full").onnx"
                    try Data(try ONNXExport.export(model, options: options)).write(to: directory.appendingPathComponent(file))
                    cases.append(Case(name: file, model: file, inputs: inputs, outputs: outputs, shapes: shapes))
                }
            }
        }
        let verdicts = try JSONDecoder().decode([Verdict].self, from: try TorchReference.python(Self.judge,
            stdin: JSONEncoder().encode(["directory": directory.path])
                + Data("\n".utf8) + JSONEncoder().encode(cases)))
        #expect(verdicts.count == cases.count)
        for verdict in verdicts {
            let (error, worst) = (verdict.error ?? "", verdict.worst ?? .infinity)
            #expect(verdict.error == nil, "\(verdict.name): \(error)")
            #expect(worst <= 1e-4, "\(verdict.name): off by \(worst)")
        }
    }

    @Test func badOptionsAreRefusedNamingTheField() {
        var random = Random(seed: 1)
        let model = SmallCNN.make(classes: 3, inputSize: 8, random: &random)
        var options = ONNXExport.Options(inputShape: [1, 3, 8, 8])
        options.opset = 12
        #expect(throws: ONNXExport.Failure.opset(12)) { try ONNXExport.export(model, options: options) }
        for shape in [[1, 4, 8, 8], [1, 3, 8], [1, 3, 0, 8]] {
            options = ONNXExport.Options(inputShape: shape)
            let error = #expect(throws: ONNXExport.Failure.self) { try ONNXExport.export(model, options: options) }
            #expect(error?.description.hasPrefix("input_shape") == true, "\(shape): \(String(describing: error))")
        }
    }

    @Test func varintsAndFieldsFollowTheWireFormat() {
        var message = Protobuf()
        message.integer(1, 150)
        message.string(2, "testing")
        message.integer(3, -1)
        message.float(4, 1)
        message.integers(5, [3, 270])
        #expect(message.bytes == [0x08, 0x96, 0x01, 0x12, 0x07] + Array("testing".utf8)
            + [0x18] + [UInt8](repeating: 0xFF, count: 9) + [0x01] + [0x25, 0x00, 0x00, 0x80, 0x3F] + [0x2A, 0x03, 0x03, 0x8E, 0x02])
    }

    /// Reads the directory, then the cases, from stdin; prints one verdict per case.
    static let judge = """
        import json, sys, numpy as np, onnx, onnxruntime as ort
        lines = sys.stdin.read().split("\\n", 1)
        directory, cases = json.loads(lines[0])["directory"], json.loads(lines[1])
        verdicts = []
        for case in cases:
            path = f"{directory}/{case['model']}"
            try:
                onnx.checker.check_model(onnx.load(path), full_check=True)
                session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
                worst = 0.0
                for inp, out, shape in zip(case["inputs"], case["outputs"], case["shapes"]):
                    x = np.fromfile(f"{directory}/{inp}", dtype=np.float32).reshape(shape)
                    expected = np.fromfile(f"{directory}/{out}", dtype=np.float32)
                    got = session.run(["output"], {"input": x})[0].reshape(-1)
                    worst = max(worst, float(np.abs(got - expected).max()))
                verdicts.append({"name": case["name"], "worst": worst})
            except Exception as error:
                verdicts.append({"name": case["name"], "error": str(error)[:500]})
        print(json.dumps(verdicts))
        """
}
