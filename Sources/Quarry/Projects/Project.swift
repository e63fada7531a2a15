/// What a project's models learn to do, and so which label types its classes use.
public enum ProjectTask: String, Sendable, Codable, CaseIterable {
    case classification
    case detection
    case segmentation
}

/// HITL projects start `new` and work only once an administrator activates them; projects made
/// through the other APIs start `active`.
public enum ProjectStatus: String, Sendable, Codable, CaseIterable {
    case new
    case active
    case inactive
}

/// A project: the container of datasets, label classes and tasks, owned by one account.
public struct Project: Sendable, Equatable {
    public let id: String
    public let accountID: String
    public var name: String
    public var category: String
    public var task: ProjectTask
    public var status: ProjectStatus
    public var allowClassCreation: Bool
    public var autoAnnotation: Bool
    public let createdAt: String
    public var updatedAt: String
}

public enum ProjectError: Error, Equatable, Sendable {
    /// Another account's project is reported the same way as a missing one, so ids leak nothing.
    case notFound(String)
    case nameTaken(String)
    case invalid(field: String, reason: String)
    case classTypeConflict(name: String, existing: LabelType, requested: LabelType)
}
