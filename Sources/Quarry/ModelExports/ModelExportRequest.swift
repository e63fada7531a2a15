import Foundation

/// What `POST /api/export/{project_id}` asks for: a run's checkpoint (`best` by default) as ONNX or
/// as Quarry's own checkpoint file, with the ONNX options of docs/studio.md ("Export").
public struct ModelExportRequest: Sendable, Codable, Equatable {
    public enum Format: String, Sendable, Codable, CaseIterable {
        case onnx
        case quarry
    }

    public struct ONNXOptions: Sendable, Codable, Equatable {
        public var opset_version = 17
        /// nil: (1, 3, image size, image size) from the run's configuration.
        public var input_shape: [Int]?
        /// The name of the symbolic batch dimension, or nil for a fixed batch.
        public var batch_axis: String?
        public var simplify = false
    }

    public let experiment_id: String
    public let run_id: String
    public let checkpoint: String
    public let format: Format
    public let options: ONNXOptions?

    private static let keys: Set<String> = ["experiment_id", "run_id", "checkpoint", "format", "options"]
    private static let optionKeys: Set<String> = ["opset_version", "input_shape", "dynamic_axes", "simplify"]

    /// The body as sent, typed: JSONDecoder refuses `true` for a number and `1` for a flag, naming the key.
    private struct Body: Decodable {
        struct Options: Decodable {
            let opset_version: Int?
            let input_shape: [Int]?
            let dynamic_axes: [String: [String: String]]?
            let simplify: Bool?
        }

        let experiment_id: String?
        let run_id: String?
        let checkpoint: String?
        let format: String?
        let options: Options?
    }

    /// Every unknown key or bad value is refused, naming the field (`options.…` inside the options).
    public static func parse(_ data: Data) throws(ModelExportError) -> ModelExportRequest {
        do {
            return try parseStrictly(data)
        } catch {
            throw .invalid(field: error.field, reason: error.reason)
        }
    }

    private static func parseStrictly(_ data: Data) throws(StrictJSON.Problem) -> ModelExportRequest {
        let body = try StrictJSON.decode(Body.self, from: data, keys: keys, nested: ["options": optionKeys])
        let checkpoint = body.checkpoint ?? "best"
        guard ["best", "last"].contains(checkpoint) else { throw .init(field: "checkpoint", reason: "must be best or last") }
        guard let format = Format(rawValue: body.format ?? "onnx") else {
            throw .init(field: "format", reason: "must be one of \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var options: ONNXOptions?
        if format == .onnx {
            options = try onnxOptions(body.options)
        } else if body.options.map({ $0.opset_version != nil || $0.input_shape != nil || $0.dynamic_axes != nil || $0.simplify != nil }) == true {
            throw .init(field: "options", reason: "are for the onnx format only")
        }
        return ModelExportRequest(experiment_id: try StrictJSON.identifier(body.experiment_id, "experiment_id"),
                                  run_id: try StrictJSON.identifier(body.run_id, "run_id"), checkpoint: checkpoint, format: format, options: options)
    }

    private static func onnxOptions(_ given: Body.Options?) throws(StrictJSON.Problem) -> ONNXOptions {
        var options = ONNXOptions()
        guard let given else { return options }
        options.opset_version = given.opset_version ?? options.opset_version
        if let shape = given.input_shape {
            guard shape.count == 4, shape.allSatisfy({ (1...65_536).contains($0) }) else {
                throw .init(field: "options.input_shape", reason: "must be four positive integers, (N, C, H, W)")
            }
            options.input_shape = shape
        }
        if let axes = given.dynamic_axes { options.batch_axis = try batchAxis(axes) }
        options.simplify = given.simplify ?? options.simplify
        return options
    }

    /// `{"input": {"0": NAME}, "output": {"0": NAME}}`: only the batch axis can vary, and it is one
    /// dimension of both; an empty object means a fixed batch.
    private static func batchAxis(_ axes: [String: [String: String]]) throws(StrictJSON.Problem) -> String? {
        let field = "options.dynamic_axes"
        var names: [String] = []
        for (tensor, dimensions) in axes.sorted(by: { $0.key < $1.key }) {
            guard ["input", "output"].contains(tensor) else { throw .init(field: "\(field).\(tensor)", reason: "must be input or output") }
            guard dimensions.keys.allSatisfy({ $0 == "0" }), let name = dimensions["0"], !name.isEmpty, name.count <= 100 else {
                throw .init(field: "\(field).\(tensor)", reason: "must name axis 0 only: the batch is the one dimension that can vary")
            }
            names.append(name)
        }
        guard Set(names).count <= 1 else { throw .init(field: field, reason: "must give the input and output batch the same name") }
        return names.first
    }
}

public enum ModelExportError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    case notFound(String)
    case notReady(id: String, status: String)
    case stillActive(String)
}
