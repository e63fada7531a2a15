import API
import Foundation
import Quarry

/// Request bodies are JSON a client wrote by hand or by a buggy SDK. Each decoder either refuses it
/// naming a field or returns a value that survives being written and read back unchanged, since
/// Quarry stores these values as JSON and reads them again after a restart.
enum JSONFuzz {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        var input = FuzzInput(bytes)
        let decoder = input.int(in: 0...4)
        let data = Data(input.rest())
        switch decoder {
        case 0: try experimentConfig(data)
        case 1: try exportRequest(data)
        case 2: try evaluationRequest(data)
        case 3: try labels(data)
        default: try anyValue(data)
        }
    }

    /// A configuration the API accepts reads back the same from its stored row and from its own
    /// response document sent again as a body.
    private static func experimentConfig(_ data: Data) throws(FuzzFailure) {
        guard let changes = try? JSON.decode(ExperimentConfigChanges.self, from: data, keys: ExperimentConfigChanges.keys) else { return }
        var config = ExperimentConfig(name: "")
        guard (try? changes.apply(to: &config)) != nil, (try? config.validate()) != nil else { return }
        let stored = try? ExperimentConfig.stored(config.storedText)
        try expect(stored == config, "experiment config \(config) stored as \(String(describing: stored))")
        var echoed = ExperimentConfig(name: "")
        let document = encoded(config)
        try? JSON.decode(ExperimentConfigChanges.self, from: document, keys: ExperimentConfigChanges.keys).apply(to: &echoed)
        try expect(echoed == config, "experiment config \(config) sent back as \(echoed)")
    }

    private static func exportRequest(_ data: Data) throws(FuzzFailure) {
        guard let request = try? JSON.decode(ModelExportRequestBody.self, from: data, keys: ModelExportRequestBody.keys).request else { return }
        let stored = try? ModelExportRequest.stored(request.storedText)
        try expect(stored == request, "export request \(request) stored as \(String(describing: stored))")
    }

    private static func evaluationRequest(_ data: Data) throws(FuzzFailure) {
        guard let request = try? JSON.decode(EvaluationRequestBody.self, from: data, keys: EvaluationRequestBody.keys).request,
              (try? request.validate()) != nil else { return }
        try expect((1...EvaluationRequest.maxBatchSize).contains(request.batchSize) && (request.splitIndex ?? 0) >= 0,
                   "evaluation request \(request) passed")
    }

    /// Labels from the workbench, against a project with one class of each type and a 64×48 image.
    private static func labels(_ data: Data) throws(FuzzFailure) {
        guard let documents = try? JSONDecoder().decode([ImageLabels].self, from: data) else { return }
        let validator = AnnotationValidator(classes: LabelType.allCases.map { LabelClass(name: $0.rawValue, type: $0) },
                                            images: [1: .init(width: 64, height: 48)], allowClassCreation: true)
        guard (try? validator.validate(documents)) != nil else { return }
        for label in documents.flatMap(\.labels) {
            let coordinates = (label.bbox ?? []) + (label.points ?? []).flatMap { $0 } + (label.point ?? [])
            try expect(coordinates.allSatisfy(\.isFinite), "label \(label) passed with a coordinate that is not finite")
            try expect(label.confidence.map { (0...1).contains($0) } ?? true, "label \(label) passed with its confidence")
        }
        let stored = try? JSONDecoder().decode([ImageLabels].self, from: encoded(documents))
        try expect(stored == documents, "labels \(documents) stored as \(String(describing: stored))")
    }

    private static func anyValue(_ data: Data) throws(FuzzFailure) {
        guard let value = JSONValue(text: String(decoding: data, as: UTF8.self)) else { return }
        let again = JSONValue(text: String(decoding: encoded(value), as: UTF8.self))
        try expect(again == value, "JSON \(value) read back as \(String(describing: again))")
    }

    private static func encoded(_ value: some Encodable) -> Data {
        (try? JSONEncoder().encode(value)) ?? Data()
    }
}
