/// Which API made a task: JTheta annotation requests make one per image, HITL jobs one per job, and
/// imports of COCO or YOLO labels one already-approved task per labeled image.
public enum TaskSource: String, Sendable, Codable {
    case jtheta
    case hitl
    case imported
}

/// One unit of human labeling over one or more images.
public struct LabelTask: Sendable, Equatable {
    public let id: String
    public let projectID: String
    public let source: TaskSource
    public var status: TaskStatus
    public var annotatorID: String?
    public var reviewerID: String?
    public var imageIDs: [Int]
    public var predictions: [ImageLabels]
    public var annotations: [ImageLabels]
    public var draft: [ImageLabels]?
    public var reviewComment: String?
    public let createdAt: String
    public var updatedAt: String
    public var startedAt: String?
    public var submittedAt: String?
    public var finishedAt: String?
}

public enum LabelingError: Error, Equatable, Sendable {
    case taskNotFound(String)
    /// The event is not allowed in the task's status, e.g. approving a task not yet submitted.
    case transitionNotAllowed(task: String, status: TaskStatus, action: String)
    /// The caller is a worker of the task, but not in the role the action needs.
    case notYourTurn(task: String, role: String)
    case invalidAnnotation(String)
}
