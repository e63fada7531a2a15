import Storage

/// Tasks: assigning them, reporting progress, and the worker's side (open, draft, submit, review).
public struct LabelingService: Sendable {
    let database: any Database
    /// Queues the webhook of a job that reaches a status that reports.
    let outbox: WebhookOutbox
    /// Gets new tasks of projects that name a model; nil where nothing pre-labels (some tests).
    let prelabeler: Prelabeler?

    init(database: any Database, outbox: WebhookOutbox, prelabeler: Prelabeler? = nil) {
        self.database = database
        self.outbox = outbox
        self.prelabeler = prelabeler
    }
}

/// A task as a worker opens it: the task, its images and the classes to label with.
public struct TaskView: Sendable {
    public let task: LabelTask
    public let project: Project
    public let images: [ImageRecord]
    public let classes: [LabelClass]
    /// A HITL job's predictions as its client sent them.
    public let clientPredictions: JSONValue?
}

public enum WorkerRole: String, Sendable {
    case annotator
    case reviewer
}

extension LabelingService {
    /// The worker's tasks in a role: for an annotator those still to label (new, in progress,
    /// rejected back), for a reviewer those waiting for review.
    public func tasks(for worker: Worker, role: WorkerRole) throws -> [LabelTask] {
        try database.read { db in
            switch role {
            case .annotator: try TaskStore.assigned(workerID: worker.id, asReviewer: false, statuses: [.new, .progress], on: db)
            case .reviewer: try TaskStore.assigned(workerID: worker.id, asReviewer: true, statuses: [.review], on: db)
            }
        }
    }

    /// The task if the worker is its annotator or reviewer; otherwise it does not exist for them.
    public func open(taskID: String, worker: Worker) throws -> TaskView {
        try database.read { db in try Self.view(taskID: taskID, worker: worker, on: db) }
    }

    /// Saves work in progress without checking it is finished; starts the task.
    public func saveDraft(taskID: String, worker: Worker, labels: [ImageLabels]) throws -> LabelTask {
        try change(taskID: taskID, worker: worker, role: .annotator, event: .saveDraft, action: "save a draft") { task, view, db in
            try Self.validate(labels, view: view, on: db)
            task.draft = labels
        }
    }

    /// Hands the labels to the reviewer.
    public func submit(taskID: String, worker: Worker, labels: [ImageLabels]) throws -> LabelTask {
        try change(taskID: taskID, worker: worker, role: .annotator, event: .submit, action: "submit") { task, view, db in
            try Self.validate(labels, view: view, on: db)
            task.annotations = labels
            task.draft = nil
            task.submittedAt = task.updatedAt
        }
    }

    /// Approves (done) or rejects (back to the annotator with the comment) a submitted task.
    public func review(taskID: String, worker: Worker, approve: Bool, comment: String?) throws -> LabelTask {
        let comment = try comment.map { try Validate.text($0, field: "comment", limit: 5000) }
        return try change(taskID: taskID, worker: worker, role: .reviewer, event: approve ? .approve : .reject,
                          action: approve ? "approve" : "reject") { task, _, db in
            task.reviewComment = comment
            guard approve else { return }
            task.finishedAt = task.updatedAt
            try Self.recordClasses(of: task, on: db)
        }
    }

    private func change(taskID: String, worker: Worker, role: WorkerRole, event: TaskStatus.Event, action: String,
                        _ apply: (inout LabelTask, TaskView, any Connection) throws -> Void) throws -> LabelTask {
        try database.write { db in
            let view = try Self.view(taskID: taskID, worker: worker, on: db)
            var task = view.task
            let holder = role == .annotator ? task.annotatorID : task.reviewerID
            guard holder == worker.id else { throw LabelingError.notYourTurn(task: taskID, role: role.rawValue) }
            guard let next = task.status.applying(event) else {
                throw LabelingError.transitionNotAllowed(task: taskID, status: task.status, action: action)
            }
            task.updatedAt = Timestamp.now()
            if task.startedAt == nil { task.startedAt = task.updatedAt }
            task.status = next
            try apply(&task, view, db)
            try TaskStore.update(task, on: db)
            try outbox.enqueue(taskID: task.id, on: db)
            return task
        }
    }

    static func view(taskID: String, worker: Worker, on db: any Connection) throws -> TaskView {
        guard let task = try TaskStore.find(id: taskID, on: db),
              task.annotatorID == worker.id || task.reviewerID == worker.id,
              let project = try ProjectStore.find(accountID: worker.accountID, id: task.projectID, on: db) else {
            throw LabelingError.taskNotFound(taskID)
        }
        let images = try task.imageIDs.compactMap { id in try DatasetStore.image(id: id, on: db) }
        let clientPredictions = try TaskStore.clientPredictions(taskID: taskID, on: db)
        return TaskView(task: task, project: project, images: images, classes: try ProjectStore.classes(projectID: project.id, on: db),
                        clientPredictions: clientPredictions)
    }

    /// An approved tag label becomes its image's class, which training reads.
    private static func recordClasses(of task: LabelTask, on db: any Connection) throws {
        for document in task.annotations {
            guard let tag = document.labels.first(where: { $0.type == .tag }) else { continue }
            try DatasetStore.setClass(tag.label, imageID: document.imageID, on: db)
        }
    }

    /// Checks labels against the task's images and the project's classes, adding new classes when
    /// the project allows annotators to create them.
    private static func validate(_ labels: [ImageLabels], view: TaskView, on db: any Connection) throws {
        let bounds = Dictionary(uniqueKeysWithValues: view.images.map {
            ($0.id, AnnotationValidator.ImageBounds(width: Double($0.width), height: Double($0.height)))
        })
        let validator = AnnotationValidator(classes: view.classes, images: bounds, allowClassCreation: view.project.allowClassCreation)
        let added = try validator.validate(labels)
        if !added.isEmpty { try ProjectService.merge(added, into: view.project.id, on: db) }
    }
}

extension LabelingService {
    /// The account's workers who hold tasks in a role, with how many.
    public func workload(accountID: String, role: WorkerRole) throws -> [(worker: Worker, tasks: Int)] {
        try database.read { db in try TaskStore.workload(accountID: accountID, asReviewer: role == .reviewer, on: db) }
    }
}

extension LabelingService {
    /// The labels approved for an image (from its done tasks), in the canonical shape.
    public func approvedLabels(imageID: Int) throws -> [Label] {
        try database.read { db in try TaskStore.approvedLabels(imageID: imageID, on: db) }
    }
}
