import Foundation
import Learn

/// A training run of an experiment. Its life is a job's (`JobStatus`): `pending` → `running` →
/// `completed`, `failed` or `stopped`; a run that was going when the server stopped is `interrupted`.
/// Stopped, interrupted and failed runs resume from their last checkpoint.
public struct Run: ProjectJob {
    public let id: String
    public let projectID: String
    public let experimentID: String
    public var status: JobStatus
    /// What the run trains with, fixed at its start but for the device, which a resume may change.
    public internal(set) var config: ExperimentConfig
    public var classes: [String]
    public var metrics: [EpochMetrics]
    public var bestValidationAccuracy: Float?
    /// Why it failed; nil unless it did.
    public var error: JobFailure?
    public let createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
}

public enum RunError: Error, Equatable, Sendable {
    case notFound(String)
    case invalid(field: String, reason: String)
    /// The split's subset that trains has labeled images of fewer than two classes: nothing to learn.
    case notEnoughClasses(subset: String)
    case notResumable(id: String, status: JobStatus)
    case stillActive(String)
}
