import Foundation
import HTTP
import Quarry

/// The body of `POST /api/export/{project_id}` (docs/studio.md, "Export"): a run's checkpoint
/// (`best` by default) as `onnx` (the default), `quarry`, `pytorch` or `safetensors`, with ONNX options for the first only.
package struct ModelExportRequestBody: Decodable {
    struct Options: Decodable {
        let opset_version: Int?
        let input_shape: [Int]?
        let dynamic_axes: [String: [String: String]]?
        let simplify: Bool?

        var isEmpty: Bool { opset_version == nil && input_shape == nil && dynamic_axes == nil && simplify == nil }
    }

    let experiment_id: String?
    let run_id: String?
    let checkpoint: String?
    let format: String?
    let options: Options?

    package static let keys = JSON.Keys(keys: ["experiment_id", "run_id", "checkpoint", "format", "options"],
                                nested: ["options": ["opset_version", "input_shape", "dynamic_axes", "simplify"]])

    package var request: ModelExportRequest {
        get throws(APIError) {
            var request = ModelExportRequest(experimentID: try JSON.identifier(experiment_id, "experiment_id"),
                                             runID: try JSON.identifier(run_id, "run_id"))
            request.checkpoint = try JSON.choice(checkpoint, "checkpoint", or: request.checkpoint)
            request.format = try format.map(Self.format) ?? request.format
            if request.format == .onnx {
                request.options = try onnxOptions
            } else if options.map({ !$0.isEmpty }) == true {
                throw APIError.invalid("options", "are for the onnx format only")
            }
            return request
        }
    }

    /// A format Quarry does not make (`torchscript`, `tensorrt`, …) is the spec's `EXPORT_FORMAT_UNAVAILABLE`,
    /// which a client can tell from a malformed body.
    private static func format(_ name: String) throws(APIError) -> ModelExportRequest.Format {
        guard let format = ModelExportRequest.Format(rawValue: name) else {
            let names = ModelExportRequest.Format.allCases.map(\.rawValue).joined(separator: " or ")
            throw APIError.invalid("format", "'\(name.prefix(40))' is not available: \(names)", code: "EXPORT_FORMAT_UNAVAILABLE",
                                   status: .unprocessableContent)
        }
        return format
    }

    private var onnxOptions: ModelExportRequest.ONNXOptions {
        get throws(APIError) {
            var converted = ModelExportRequest.ONNXOptions()
            guard let options else { return converted }
            converted.opsetVersion = options.opset_version ?? converted.opsetVersion
            if let shape = options.input_shape {
                guard shape.count == 4, shape.allSatisfy({ (1...65_536).contains($0) }) else {
                    throw APIError.invalid("options.input_shape", "must be four positive integers, (N, C, H, W)")
                }
                converted.inputShape = shape
            }
            if let axes = options.dynamic_axes { converted.batchAxis = try Self.batchAxis(axes) }
            converted.simplify = options.simplify ?? converted.simplify
            return converted
        }
    }

    /// `{"input": {"0": NAME}, "output": {"0": NAME}}`: only the batch axis can vary, and it is one
    /// dimension of both; an empty object means a fixed batch.
    private static func batchAxis(_ axes: [String: [String: String]]) throws(APIError) -> String? {
        let field = "options.dynamic_axes"
        var names: [String] = []
        for (tensor, dimensions) in axes.sorted(by: { $0.key < $1.key }) {
            guard ["input", "output"].contains(tensor) else { throw APIError.invalid("\(field).\(tensor)", "must be input or output") }
            guard dimensions.keys.allSatisfy({ $0 == "0" }), let name = dimensions["0"], !name.isEmpty, name.count <= 100 else {
                throw APIError.invalid("\(field).\(tensor)", "must name axis 0 only: the batch is the one dimension that can vary")
            }
            names.append(name)
        }
        guard Set(names).count <= 1 else { throw APIError.invalid(field, "must give the input and output batch the same name") }
        return names.first
    }
}
