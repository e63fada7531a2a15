import Foundation
import Learn

/// A run's life: `pending` → `running` → `completed`, `failed` or `stopped`; a run that was running
/// when the server stopped is `interrupted`. Stopped and interrupted runs can be resumed from
/// their last checkpoint.
public enum RunStatus: String, Sendable, Codable {
    case pending
    case running
    case completed
    case failed
    case stopped
    case interrupted

    public var isActive: Bool { self == .pending || self == .running }
}

public struct Run: Sendable {
    public let id: String
    public let projectID: String
    public let experimentID: String
    public var status: RunStatus
    /// What the run trains with, fixed at its start but for the device, which a resume may change.
    public internal(set) var config: ExperimentConfig
    public var classes: [String]
    public var metrics: [EpochMetrics]
    public var bestValidationAccuracy: Float?
    public var error: String?
    public let createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
}

public enum RunError: Error, Equatable, Sendable {
    case notFound(String)
    case notStartable(String)
    case notResumable(id: String, status: RunStatus)
    case stillActive(String)
}
