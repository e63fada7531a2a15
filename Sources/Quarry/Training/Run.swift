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
    /// What it trains on; nil until it first starts (and for runs from before it was recorded).
    public var data: RunData?
    /// Why it failed; nil unless it did.
    public var error: JobFailure?
    public let createdAt: String
    public var startedAt: String?
    public var finishedAt: String?

    /// A detector's best validation mAP so far.
    public var bestValidationMAP: Float? { metrics.compactMap(\.validationMAP).max() }
    /// A segmenter's best validation mean IoU so far.
    public var bestValidationMeanIoU: Float? { metrics.compactMap(\.validationMeanIoU).max() }
}

public enum RunError: Error, Equatable, Sendable {
    case notFound(String)
    case invalid(field: String, reason: String)
    /// The split's subset that trains has labeled images of fewer than two classes: nothing to learn.
    case notEnoughClasses(subset: String)
    /// A detection run's train subset has no approved box (nor polygon) to learn from.
    case noBoxes(subset: String, split: Int)
    /// A segmentation run's train subset has no approved polygon to learn from.
    case noPolygons(subset: String, split: Int)
    case notResumable(id: String, status: JobStatus)
    case stillActive(String)
}
