import Foundation
import Learn

/// A run's checkpoint measured on one subset of a split. Its life is a job's (`JobStatus`): `pending` →
/// `running` → `completed` or `failed`; one that was going when the server stopped is `failed` at the
/// next start, saying so, and can simply be created again.
public struct Evaluation: Sendable {
    public let id: String
    public let projectID: String
    public let request: EvaluationRequest
    public var status: JobStatus
    public var error: String?
    public var report: ClassificationReport?
    /// Images of the subset whose class the model was not trained on, which it cannot be scored on.
    public var skipped: Int
    public let createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
}

/// One image's outcome.
public struct EvaluationResult: Sendable, Equatable {
    public let fileName: String
    public let groundTruth: String
    public let prediction: String
    /// The softmax probability of the predicted class.
    public let confidence: Double
    /// The cross-entropy of the true class.
    public let loss: Double
    public var correct: Bool { groundTruth == prediction }
}

/// What `POST /api/evaluation/{project_id}` asks for. `split_index` defaults to the run's own split,
/// `checkpoint` to `best`, `split_subset` to `test`, `batch_size` to 32, `device` to the run's device
/// when this server has it, else the first GPU, else the CPU.
public struct EvaluationRequest: Sendable {
    public let experimentID: String
    public let runID: String
    public let checkpoint: String
    public let splitIndex: Int?
    public let splitSubset: String
    public let batchSize: Int
    /// cpu or gpu:N; nil until the service resolves it.
    public let device: String?

    package static let maxBatchSize = 1024
    private static let keys: Set<String> = ["experiment_id", "run_id", "checkpoint", "split_index", "split_subset", "batch_size",
                                            "device"]

    private struct Body: Decodable {
        let experiment_id: String?
        let run_id: String?
        let checkpoint: String?
        let split_index: Int?
        let split_subset: String?
        let batch_size: Int?
        let device: String?
    }

    /// Every unknown key or bad value is refused, naming the field.
    public static func parse(_ data: Data) throws(EvaluationError) -> EvaluationRequest {
        do {
            return try parseStrictly(data)
        } catch {
            throw .invalid(field: error.field, reason: error.reason)
        }
    }

    private static func parseStrictly(_ data: Data) throws(StrictJSON.Problem) -> EvaluationRequest {
        let body = try StrictJSON.decode(Body.self, from: data, keys: keys)
        let checkpoint = body.checkpoint ?? "best"
        guard ["best", "last"].contains(checkpoint) else { throw .init(field: "checkpoint", reason: "must be best or last") }
        let subset = body.split_subset ?? "test"
        guard ["train", "val", "test"].contains(subset) else { throw .init(field: "split_subset", reason: "must be train, val or test") }
        if let index = body.split_index, index < 0 { throw .init(field: "split_index", reason: "must not be negative") }
        let batchSize = body.batch_size ?? 32
        guard (1...maxBatchSize).contains(batchSize) else { throw .init(field: "batch_size", reason: "must be from 1 to \(maxBatchSize)") }
        if let device = body.device, Device(device) == nil { throw .init(field: "device", reason: "must be cpu or gpu:N") }
        return EvaluationRequest(experimentID: try StrictJSON.identifier(body.experiment_id, "experiment_id"),
                                 runID: try StrictJSON.identifier(body.run_id, "run_id"), checkpoint: checkpoint, splitIndex: body.split_index,
                                 splitSubset: subset, batchSize: batchSize, device: body.device)
    }
}

public enum EvaluationError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    case notFound(String)
    /// Its per-image results exist once it has completed.
    case notCompleted(id: String, status: JobStatus)
    case stillActive(String)
}
