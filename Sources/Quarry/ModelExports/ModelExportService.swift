import Foundation
import Imaging
import Learn
import Storage

/// Model files made from runs' checkpoints: ONNX (docs/studio.md, "Export") or Quarry's own checkpoint
/// file. Made one at a time as jobs of the job runner, kept as blobs, downloaded, deleted.
public final class ModelExportService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    let runs: RunService

    init(database: any Database, blobs: any BlobStore, runs: RunService) {
        self.database = database
        self.blobs = blobs
        self.runs = runs
        runs.jobs.register(.modelExport) { [self] context in try perform(context.id) }
    }

    /// Checks the request against the run and, for ONNX, the options against the model (opset, input
    /// shape) before anything is queued, so that a bad request is a 400 rather than a failed export.
    public func create(accountID: String, projectID: String, request: ModelExportRequest) throws -> ModelExport {
        var request = request
        let run = try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try TrainedModel.checkedRun(request.runID, experimentID: request.experimentID, projectID: projectID,
                                               checkpoint: request.checkpoint, runs: runs, on: db)
        }
        // A state dict loads into torchvision's network of the same name: only the zoo's classifiers of its backbones have one.
        if request.format.isStateDict && run.config.model.backbone?.classifier != run.config.model {
            throw ModelExportError.unavailable(
                format: request.format.rawValue, reason: "only resnet18 and mobilenet_v2 runs have a torchvision network of the same name, not \(run.config.model.rawValue)")
        }
        if var options = request.options {
            options.inputShape = options.inputShape ?? [1, 3, run.config.imageSize, run.config.imageSize]
            request.options = options
            let model = RunRecipe(config: run.config, classes: run.classes.count, batchesPerEpoch: 1).model()
            do {
                try ONNXExport.validate(model, options: Self.onnxOptions(options, metadata: []))
            } catch .opset {
                throw ModelExportError.invalid(field: "options.opset_version",
                                               reason: "must be from \(ONNXExport.opsets.lowerBound) to \(ONNXExport.opsets.upperBound)")
            } catch {
                throw ModelExportError.invalid(field: "options.input_shape", reason: "\(error)".replacingOccurrences(of: "input_shape ", with: ""))
            }
        }
        let export = ModelExport(id: ID.make("export"), projectID: projectID, request: request, status: .pending, error: nil, blob: nil,
                                 size: nil, fileName: nil, createdAt: Timestamp.now(), finishedAt: nil)
        try database.write { db in try ModelExportStore.insert(export, on: db) }
        runs.jobs.submit(.modelExport, id: export.id)
        return export
    }

    public func list(accountID: String, projectID: String) throws -> [ModelExport] {
        try ProjectJobs<ModelExportStore>.list(accountID: accountID, projectID: projectID, in: database)
    }

    public func get(accountID: String, projectID: String, id: String) throws -> ModelExport {
        try ProjectJobs<ModelExportStore>.get(accountID: accountID, projectID: projectID, id: id, in: database)
    }

    /// The completed export's file.
    public func file(accountID: String, projectID: String, id: String) throws -> (blob: BlobID, name: String) {
        let export = try get(accountID: accountID, projectID: projectID, id: id)
        guard export.status == .completed, let hex = export.blob, let blob = BlobID(hex: hex), let name = export.fileName else {
            throw ModelExportError.notReady(id: id, status: export.status.rawValue)
        }
        return (blob, name)
    }

    /// Removes the record; its file goes with the next blob collection.
    public func delete(accountID: String, projectID: String, id: String) throws {
        try ProjectJobs<ModelExportStore>.delete(accountID: accountID, projectID: projectID, id: id, in: database)
    }

    static func onnxOptions(_ options: ModelExportRequest.ONNXOptions, metadata: [(String, String)]) -> ONNXExport.Options {
        var converted = ONNXExport.Options(inputShape: options.inputShape ?? [])
        (converted.opset, converted.simplify, converted.batchName) = (options.opsetVersion, options.simplify, options.batchAxis)
        converted.metadata = metadata
        return converted
    }

    /// Writes the file and records it with the completion; a failure is thrown for the job runner to record.
    private func perform(_ id: String) throws -> JobRunner.Ending {
        guard let export = try database.read({ db in try ModelExportStore.find(id: id, on: db) }) else { throw ModelExportError.notFound(id) }
        let request = export.request
        guard let run = try database.read({ db in try RunStore.find(id: request.runID, on: db) }) else {
            throw TrainedModelError.runNotFound(request.runID)
        }
        let bytes: [UInt8]
        if let options = request.options {
            let model = try TrainedModel.restored(run, checkpoint: request.checkpoint, runs: runs)
            bytes = try ONNXExport.export(model, options: Self.onnxOptions(options, metadata: Self.metadata(run, request)))
        } else if request.format.isStateDict, let backbone = run.config.model.backbone {
            let model = try TrainedModel.restored(run, checkpoint: request.checkpoint, runs: runs)
            bytes = try Self.stateDict(PretrainedWeights.stateDict(of: model, backbone: backbone), format: request.format,
                                       metadata: Self.metadata(run, request), spool: blobs.temporaryDirectory)
        } else {
            guard let file = try runs.files.checkpointBytes(run.id, request.checkpoint) else {
                throw TrainedModelError.checkpointNotFound(run: run.id, checkpoint: request.checkpoint)
            }
            bytes = file
        }
        let blob = try blobs.put(bytes)
        let experiment = run.config.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
        let fileName = "\(String(experiment).prefix(80))-\(run.id)-\(request.checkpoint.rawValue).\(request.format.fileExtension)"
        try database.write { db in try ModelExportStore.complete(export.id, blob: blob, size: bytes.count, fileName: fileName, on: db) }
        return .completed
    }

    /// A state dict's file: safetensors with the metadata in its header, or the zip `torch.save` writes
    /// (whose pickle has nowhere for metadata), put together in the spool and read back.
    private static func stateDict(_ tensors: NamedTensors, format: ModelExportRequest.Format, metadata: [(String, String)],
                                  spool: String) throws -> [UInt8] {
        guard format == .pytorch else {
            return SafeTensors.write(tensors, metadata: Dictionary(metadata, uniquingKeysWith: { $1 }))
        }
        let path = "\(spool)/state-dict-\(UUID().uuidString).pth"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try ZipWriter(path: path)
        for entry in TorchStateDict.write(tensors) { try writer.add(name: entry.name, bytes: entry.bytes, compress: false) }
        try writer.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// What a consumer of the file alone needs: the classes in output order, how to prepare an image,
    /// and where the model came from.
    private static func metadata(_ run: Run, _ request: ModelExportRequest) -> [(String, String)] {
        func json(_ value: some Encodable) -> String { (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        let outputs = switch run.config.model.task {
        case .classification: "output (N, classes) float32: logits, in the order of classes"
        case .detection: "boxes (K, 4) float32: x1, y1, x2, y2 in input pixels; scores (K) float32; labels (K) int64 indices into classes; "
            + "batch_index (K) int64: the image of the batch; class-wise NMS at IoU 0.6 of boxes scoring above 0.05, at most 100 a class"
        case .segmentation: "classes (N, H, W) int64: each input pixel's class, 0 the background and i + 1 the i-th of classes"
        }
        return [("classes", json(run.classes)),
                ("normalization", json(["mean": ImageTensor.imageNetMean, "std": ImageTensor.imageNetStd])),
                ("input_size", "\(run.config.imageSize)"),
                ("input_format", "RGB, NCHW float32: each value (pixel / 255 - mean) / std; image resized to input_size square"),
                ("model", run.config.model.rawValue),
                ("run_id", run.id),
                ("checkpoint", request.checkpoint.rawValue), ("task", run.config.model.task.rawValue), ("outputs", outputs)]
    }
}
