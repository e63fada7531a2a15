/// What a model export asks for: a run's checkpoint as ONNX, as Quarry's own checkpoint file, or as a
/// torchvision state dict (PyTorch's zip, or safetensors), with the ONNX options of docs/studio.md ("Export").
public struct ModelExportRequest: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case onnx
        case quarry
        case pytorch
        case safetensors

        public var fileExtension: String {
            switch self {
            case .onnx: "onnx"
            case .quarry: "ckpt"
            case .pytorch: "pth"
            case .safetensors: "safetensors"
            }
        }

        /// The weights alone, named as torchvision names its network of the same name.
        public var isStateDict: Bool { self == .pytorch || self == .safetensors }
    }

    public struct ONNXOptions: Sendable, Equatable {
        public var opsetVersion = 17
        /// (N, C, H, W); nil: (1, 3, image size, image size) from the run's configuration.
        public var inputShape: [Int]?
        /// The name of the symbolic batch dimension, or nil for a fixed batch.
        public var batchAxis: String?
        public var simplify = false

        public init() {}
    }

    public var experimentID: String
    public var runID: String
    public var checkpoint = RunCheckpoint.best
    public var format = Format.onnx
    /// The ONNX options; nil for the quarry format.
    public var options: ONNXOptions?

    public init(experimentID: String, runID: String) {
        self.experimentID = experimentID
        self.runID = runID
    }
}

public enum ModelExportError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    /// A format the run's model cannot be written in.
    case unavailable(format: String, reason: String)
    case notFound(String)
    case notReady(id: String, status: String)
    case stillActive(String)
}
