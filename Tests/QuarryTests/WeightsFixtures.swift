import Foundation
import Imaging
import Learn
import QuarryTesting

/// Small weights files in each format Quarry reads, built with Quarry's own writers.
enum WeightsFixtures {
    /// Two tensors, ten values.
    static let sample: NamedTensors = {
        var tensors = NamedTensors()
        try! tensors.append(.init(name: "layer.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        try! tensors.append(.init(name: "layer.bias", shape: [4], values: [0.5, -0.5, 0.25, -0.25]))
        return tensors
    }()

    static var safetensors: [UInt8] { SafeTensors.write(sample) }

    /// What `torch.save(state_dict, f)` writes: a zip of a pickle and its storages.
    static var pytorch: [UInt8] {
        do {
            let directory = try TemporaryDirectory("quarry-weights-zip")
            defer { directory.remove() }
            let path = "\(directory.path)/weights.pth"
            let writer = try ZipWriter(path: path)
            for entry in TorchStateDict.write(sample) { try writer.add(name: entry.name, bytes: entry.bytes, compress: false) }
            try writer.finish()
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("could not build the PyTorch fixture: \(error)")
        }
    }

    /// The smallest network exported as ONNX.
    static var onnx: [UInt8] {
        var random = Random(seed: 1)
        return try! ONNXExport.export(SmallCNN.make(classes: 2, inputSize: 8, random: &random),
                                      options: ONNXExport.Options(inputShape: [1, 3, 8, 8]))
    }

    /// The pickle of PyTorch's legacy format starts with its protocol, as every pickle does.
    static let legacyPyTorch: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
}
