import Foundation
import Testing
@testable import Learn

/// torchvision as the judge (issue 21): its `resnet18` and `mobilenet_v2` with seeded random weights and
/// batch-norm statistics, saved by `torch.save`, by safetensors and as ONNX, give in the zoo's networks the outputs
/// PyTorch gives; and the zoo's state dict, written as both, loads back into torchvision with the same
/// outputs. Skipped where python3 lacks torch, torchvision or safetensors (`make test-deps` installs them).
struct TorchvisionInteropTests {
    static let isAvailable = (try? TorchReference.python(shim + "import safetensors")) != nil

    /// PyPI's torchvision wheels link their C++ operators against CUDA, which a CPU build of torch lacks;
    /// the networks are plain Python, and the package imports once the two operator names it checks exist.
    static let shim = """
        import torch
        for name in ("nms", "qnms"):
            torch.library.define(f"torchvision::{name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        import torchvision

        """

    /// Writes torchvision's network in both formats into `folder` and prints its logits for the fixed input;
    /// with a third argument, loads that state dict into the network first (`.pth` by torch.load, else safetensors).
    static let script = shim + """
        import json, sys
        from safetensors.torch import save_file, load_file
        name, folder = sys.argv[1], sys.argv[2]
        torch.manual_seed(0)
        net = getattr(torchvision.models, name)(num_classes=5)
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0)
                    m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.2, 0.2)
        if len(sys.argv) > 3:
            path = sys.argv[3]
            state = torch.load(path, weights_only=True) if path.endswith(".pth") else load_file(path)
            net.load_state_dict(state, strict=True)
        net.eval()
        x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
        if len(sys.argv) == 3:
            torch.save(net.state_dict(), f"{folder}/{name}.pth")
            save_file({k: v.contiguous() for k, v in net.state_dict().items()}, f"{folder}/{name}.safetensors")
            # Without constant folding the batch norms stay nodes, so every initializer keeps its module name.
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(net, x, f"{folder}/{name}.onnx", dynamo=False, do_constant_folding=False,
                                  keep_initializers_as_inputs=True)
        with torch.no_grad():
            print(json.dumps({"input": x.flatten().tolist(), "output": net(x).flatten().tolist()}))
        """

    struct Reference: Decodable {
        let input: [Float]
        let output: [Float]
    }

    static func reference(_ name: String, folder: String, loading path: String? = nil) throws -> Reference {
        let arguments = [name, folder] + (path.map { [$0] } ?? [])
        return try JSONDecoder().decode(Reference.self, from: TorchReference.python(script, arguments: arguments))
    }

    static func network(_ backbone: Backbone, seed: UInt64) -> Sequential {
        var random = Random(seed: seed)
        return switch backbone {
        case .resnet18: ResNet18.make(classes: 5, inputSize: 64, stem: .imagenet, random: &random)
        case .mobileNetV2: MobileNetV2.make(classes: 5, inputSize: 64, stem: .imagenet, random: &random)
        }
    }

    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }
    }

    @Test(.enabled(if: isAvailable), arguments: [("resnet18", Backbone.resnet18), ("mobilenet_v2", .mobileNetV2)])
    func torchvisionsWeightsGivePyTorchsOutputs(name: String, backbone: Backbone) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-torchvision-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let expected = try Self.reference(name, folder: folder)
        let input = Tensor(shape: [2, 3, 64, 64], storage: expected.input)
        let files: [(String, NamedTensors)] = [
            ("pth", try TorchStateDictTests.read(StoredZip.entries(Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).pth")))))),
            ("safetensors", try SafeTensors.read(Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).safetensors"))))),
            ("onnx", try ONNXInitializers.read(Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).onnx"))))),
        ]
        for (format, tensors) in files {
            #expect(PretrainedWeights.identify(tensors)! == (backbone, .torchvision))
            let network = Self.network(backbone, seed: 9)
            let report = try PretrainedWeights.load(tensors, into: network, backbone: backbone)
            #expect(report.headLoaded, "\(format): five classes each side")
            let output = try network.forward(input, training: false).hostValues()
            #expect(Self.close(output, expected.output), "\(format): \(output.prefix(5)) against PyTorch's \(expected.output.prefix(5))")
            let compiled = try InferenceModel(network, backend: CPUBackend.shared).forward(input).hostValues()
            #expect(Self.close(compiled, expected.output), "\(format), compiled")
        }
        // And back: the zoo's state dict, in both formats, loads into torchvision with strict names and gives the same outputs.
        let network = Self.network(backbone, seed: 9)
        try PretrainedWeights.load(files[0].1, into: network, backbone: backbone)
        let tensors = try PretrainedWeights.stateDict(of: network, backbone: backbone)
        try Data(SafeTensors.write(tensors)).write(to: URL(fileURLWithPath: "\(folder)/back.safetensors"))
        try Data(StoredZip.write(TorchStateDict.write(tensors))).write(to: URL(fileURLWithPath: "\(folder)/back.pth"))
        for file in ["back.safetensors", "back.pth"] {
            let loaded = try Self.reference(name, folder: folder, loading: "\(folder)/\(file)")
            #expect(Self.close(loaded.output, expected.output), "\(file) in torchvision")
        }
    }
}
