/// What a model export asks for: a run's checkpoint as ONNX or as Quarry's own checkpoint file, with
/// the ONNX options of docs/studio.md ("Export").
public struct ModelExportRequest: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case onnx
        case quarry

        public var fileExtension: String { self == .onnx ? "onnx" : "ckpt" }
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
    case notFound(String)
    case notReady(id: String, status: String)
    case stillActive(String)
}
