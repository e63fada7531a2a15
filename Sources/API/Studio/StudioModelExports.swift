import Foundation
import HTTP
import Learn
import Quarry

/// `/api/export/…`: a run's checkpoint as an ONNX file or as Quarry's own checkpoint file.
struct StudioModelExports: Sendable {
    let services: Services

    private struct OptionsBody: Encodable {
        let opset_version: Int
        let input_shape: [Int]?
        let batch_axis: String?
        let simplify: Bool

        init(_ options: ModelExportRequest.ONNXOptions) {
            (opset_version, input_shape, batch_axis, simplify) = (options.opsetVersion, options.inputShape, options.batchAxis, options.simplify)
        }
    }

    private struct ExportBody: Encodable {
        let export_id: String
        let project_id: String
        let experiment_id: String
        let run_id: String
        let checkpoint: String
        let format: String
        let options: OptionsBody?
        let status: String
        let error: String?
        let file_name: String?
        let size: Int?
        let download_url: String?
        let created_at: String
        let finished_at: String?

        init(_ export: ModelExport) {
            let request = export.request
            (export_id, project_id, experiment_id, run_id) = (export.id, export.projectID, request.experimentID, request.runID)
            (checkpoint, format, options) = (request.checkpoint.rawValue, request.format.rawValue, request.options.map(OptionsBody.init))
            (status, error, file_name, size) = (export.status.rawValue, export.error, export.fileName, export.size)
            download_url = export.status == .completed ? "/api/export/\(export.projectID)/\(export.id)/download" : nil
            (created_at, finished_at) = (export.createdAt, export.finishedAt)
        }
    }

    private struct Format: Encodable {
        struct Option: Encodable {
            let type: String
            let default_value: String
            let description: String
        }

        let format: String
        let description: String
        let file_extension: String
        let options: [String: Option]
    }

    /// What `POST` accepts for `format`, with each format's options.
    func formats(_ request: Request, _ account: Account) throws -> Response {
        let opsets = "\(ONNXExport.opsets.lowerBound) to \(ONNXExport.opsets.upperBound)"
        return Studio.ok([
            Format(format: "onnx", description: "ONNX model, run by onnxruntime and other ONNX consumers; class names and preprocessing in metadata_props",
                   file_extension: "onnx", options: [
                    "opset_version": .init(type: "integer", default_value: "17", description: "ONNX opset, \(opsets)"),
                    "input_shape": .init(type: "[N, C, H, W]", default_value: "[1, 3, image_size, image_size]",
                                         description: "the input the model is traced at; C must be 3"),
                    "dynamic_axes": .init(type: "object", default_value: "{} (fixed batch)",
                                          description: "{\"input\": {\"0\": NAME}, \"output\": {\"0\": NAME}}: a symbolic batch; no other axis can vary"),
                    "simplify": .init(type: "boolean", default_value: "false",
                                      description: "fold batch norms into convolutions and leave out dropout"),
                   ]),
            Format(format: "quarry", description: "Quarry's own checkpoint: weights, batch-norm statistics, optimizer state and schedule position",
                   file_extension: "ckpt", options: [:]),
            Format(format: "pytorch", description: "the weights as a PyTorch state dict (torch.save's zip) named as torchvision names its "
                   + "network of the same name, the head for the run's classes: torch.load(f, weights_only=True), then load_state_dict; "
                   + "resnet18 and mobilenet_v2 runs", file_extension: "pth", options: [:]),
            Format(format: "safetensors", description: "the same state dict as safetensors, with the classes and preprocessing in its "
                   + "metadata; resnet18 and mobilenet_v2 runs", file_extension: "safetensors", options: [:]),
        ])
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.modelExports.list(accountID: account.id, projectID: request.parameter("project_id") ?? "").map(ExportBody.init))
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        let body = try JSON.decode(ModelExportRequestBody.self, from: request, keys: ModelExportRequestBody.keys)
        let export = try services.modelExports.create(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                      request: try body.request)
        return Studio.ok(ExportBody(export), status: .created)
    }

    func get(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(ExportBody(try services.modelExports.get(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                           id: request.parameter("export_id") ?? "")))
    }

    func download(_ request: Request, _ account: Account) throws -> Response {
        let file = try services.modelExports.file(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                  id: request.parameter("export_id") ?? "")
        return try BlobResponse.make(file.blob, in: services.blobs, contentType: "application/octet-stream", caching: .immutable,
                                     attachment: file.name)
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        let id = request.parameter("export_id") ?? ""
        try services.modelExports.delete(accountID: account.id, projectID: request.parameter("project_id") ?? "", id: id)
        services.collectBlobsSoon()
        return Studio.deleted(id, key: "export_id")
    }
}
