import Foundation

/// How `model_exports.request` holds a request: a JSON object under the names the API documents, as
/// it was first written (migration 9), so rows from every version read back.
extension ModelExportRequest {
    package static func stored(_ text: String) throws -> ModelExportRequest {
        try JSONDecoder().decode(Stored.self, from: Data(text.utf8)).request
    }

    package var storedText: String {
        get throws { String(decoding: try JSONEncoder().encode(Stored(request: self)), as: UTF8.self) }
    }

    private struct Stored: Codable {
        struct Options: Codable {
            let opset_version: Int
            let input_shape: [Int]?
            let batch_axis: String?
            let simplify: Bool
        }

        let experiment_id: String
        let run_id: String
        let checkpoint: String
        let format: String
        let options: Options?

        init(request: ModelExportRequest) {
            (experiment_id, run_id) = (request.experimentID, request.runID)
            (checkpoint, format) = (request.checkpoint.rawValue, request.format.rawValue)
            options = request.options.map {
                Options(opset_version: $0.opsetVersion, input_shape: $0.inputShape, batch_axis: $0.batchAxis, simplify: $0.simplify)
            }
        }

        var request: ModelExportRequest {
            get throws {
                guard let checkpoint = RunCheckpoint(rawValue: checkpoint), let format = Format(rawValue: format) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown checkpoint or format"))
                }
                var request = ModelExportRequest(experimentID: experiment_id, runID: run_id)
                (request.checkpoint, request.format) = (checkpoint, format)
                request.options = options.map {
                    var options = ONNXOptions()
                    (options.opsetVersion, options.inputShape, options.batchAxis, options.simplify) =
                        ($0.opset_version, $0.input_shape, $0.batch_axis, $0.simplify)
                    return options
                }
                return request
            }
        }
    }
}
