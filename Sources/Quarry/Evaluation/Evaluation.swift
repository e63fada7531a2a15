import Learn

/// A run's checkpoint measured on one subset of a split. Its life is a job's (`JobStatus`): `pending` →
/// `running` → `completed` or `failed`; one that was going when the server stopped is `failed` at the
/// next start, saying so, and can simply be created again.
public struct Evaluation: ProjectJob {
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

/// What an evaluation asks for. `splitIndex` defaults to the run's own split, and `device` to the
/// run's device when this server has it, else the first GPU, else the CPU: both are resolved when
/// the evaluation is created.
public struct EvaluationRequest: Sendable, Equatable {
    public var experimentID: String
    public var runID: String
    public var checkpoint = RunCheckpoint.best
    public var splitIndex: Int?
    public var splitSubset = SplitSubset.test
    public var batchSize = 32
    public var device: Device?

    public static let maxBatchSize = 1024

    public init(experimentID: String, runID: String) {
        self.experimentID = experimentID
        self.runID = runID
    }

    package func validate() throws(EvaluationError) {
        if let index = splitIndex, index < 0 { throw .invalid(field: "split_index", reason: "must not be negative") }
        guard (1...Self.maxBatchSize).contains(batchSize) else {
            throw .invalid(field: "batch_size", reason: "must be from 1 to \(Self.maxBatchSize)")
        }
    }
}

public enum EvaluationError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    case notFound(String)
    /// Its per-image results exist once it has completed.
    case notCompleted(id: String, status: JobStatus)
    case stillActive(String)
}
