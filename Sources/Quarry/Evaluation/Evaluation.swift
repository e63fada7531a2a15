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
    public var report: EvaluationReport?
    /// The snapshot id of the labeled images it measured (`RunData`'s kind), once it has completed.
    public var snapshot: String?
    /// Images of the subset whose class the model was not trained on, which it cannot be scored on.
    public var skipped: Int
    public let createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
}

/// One image's outcome. A classifier's names its true and predicted class; a detector's lists its boxes
/// and a segmenter's gives its IoU (`details`), the true and found classes joined by ", " in `groundTruth`
/// and `prediction`.
public struct EvaluationResult: Sendable, Equatable {
    public let fileName: String
    public let groundTruth: String
    public let prediction: String
    /// The softmax probability of the predicted class; a detector's highest listed score (0 with none).
    public let confidence: Double
    /// The cross-entropy of the true class; a detector's false positives and misses; a segmenter's 1 − IoU.
    public let loss: Double
    public var details: ResultDetails?

    public var correct: Bool {
        switch details {
        case .detections(let found): found.errors == 0
        case .segmentation(let segmentation): segmentation.iou >= ImageSegmentation.correctIoU
        case nil: groundTruth == prediction
        }
    }

    init(fileName: String, groundTruth: String, prediction: String, confidence: Double, loss: Double, details: ResultDetails? = nil) {
        (self.fileName, self.groundTruth, self.prediction, self.confidence, self.loss) = (fileName, groundTruth, prediction, confidence, loss)
        self.details = details
    }

    init(fileName: String, detections: ImageDetections, truths: [String]) {
        let found = detections.truePositives + detections.falsePositives
        self.init(fileName: fileName, groundTruth: Set(truths).sorted().joined(separator: ", "),
                  prediction: Set(found.map(\.className)).sorted().joined(separator: ", "), confidence: found.map(\.score).max() ?? 0,
                  loss: Double(detections.errors), details: .detections(detections))
    }

    /// A segmenter's image: the classes present in truth and prediction, and `confidence` its IoU.
    init(fileName: String, segmentation: ImageSegmentation, truths: [String], predictions: [String]) {
        self.init(fileName: fileName, groundTruth: Set(truths).sorted().joined(separator: ", "),
                  prediction: Set(predictions).sorted().joined(separator: ", "), confidence: segmentation.iou, loss: 1 - segmentation.iou,
                  details: .segmentation(segmentation))
    }
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
