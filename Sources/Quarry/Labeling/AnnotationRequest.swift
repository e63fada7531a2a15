import Storage

/// A JTheta annotation request: who labels and reviews a dataset, and with which classes.
public struct AnnotationRequest: Sendable {
    public let projectName: String
    public let datasetID: Int
    public let annotatorEmail: String
    public let reviewerEmail: String
    public let labels: [LabelClass]
    public let allowClassCreation: Bool?
    public let autoAnnotation: Bool?

    public init(projectName: String, datasetID: Int, annotatorEmail: String, reviewerEmail: String, labels: [LabelClass],
                allowClassCreation: Bool? = nil, autoAnnotation: Bool? = nil) {
        self.projectName = projectName
        self.datasetID = datasetID
        self.annotatorEmail = annotatorEmail
        self.reviewerEmail = reviewerEmail
        self.labels = labels
        self.allowClassCreation = allowClassCreation
        self.autoAnnotation = autoAnnotation
    }
}

public struct AnnotationAssignment: Sendable {
    public let project: Project
    public let tasksCreated: Int
    public let taskCount: Int
    public let annotator: Worker
    public let reviewer: Worker
    /// Workbench tokens of workers this request created; existing workers keep theirs.
    public let newTokens: [String: String]
}

extension LabelingService {
    /// Assigns the dataset's images for labeling: one task per image, never two for the same image
    /// (a repeated request re-assigns the tasks nobody has started and creates only the missing ones).
    public func request(_ request: AnnotationRequest, accountID: String) throws -> AnnotationAssignment {
        guard !request.labels.isEmpty || request.allowClassCreation == true else {
            throw ProjectError.invalid(field: "labels", reason: "must name at least one label class")
        }
        var prelabels: [String] = []
        let assignment = try database.write { db in
            guard var project = try ProjectStore.find(accountID: accountID, name: request.projectName, on: db) else {
                throw ProjectError.notFound(request.projectName)
            }
            guard try DatasetService.dataset(accountID: accountID, projectName: request.projectName, id: request.datasetID, on: db) != nil
            else { throw DatasetError.notFound(request.datasetID) }
            try ProjectService.merge(request.labels, into: project.id, on: db)
            project.allowClassCreation = request.allowClassCreation ?? project.allowClassCreation
            project.autoAnnotation = request.autoAnnotation ?? project.autoAnnotation
            project.updatedAt = Timestamp.now()
            try ProjectStore.update(project, on: db)

            let annotator = try WorkerService.ensure(accountID: accountID, email: request.annotatorEmail, on: db)
            let reviewer = try WorkerService.ensure(accountID: accountID, email: request.reviewerEmail, on: db)
            let existing = try TaskStore.jthetaTasks(datasetID: request.datasetID, on: db)
            var createdIDs: [String] = []
            for image in try DatasetStore.images(datasetID: request.datasetID, on: db) {
                if var task = existing[image.id] {
                    guard task.status == .new else { continue }
                    task.annotatorID = annotator.worker.id
                    task.reviewerID = reviewer.worker.id
                    task.updatedAt = project.updatedAt
                    try TaskStore.update(task, on: db)
                    continue
                }
                let id = ID.make("job")
                createdIDs.append(id)
                try TaskStore.insert(LabelTask(
                    id: id, projectID: project.id, source: .jtheta, status: .new,
                    annotatorID: annotator.worker.id, reviewerID: reviewer.worker.id, imageIDs: [image.id],
                    predictions: [], annotations: [], draft: nil, reviewComment: nil, createdAt: project.updatedAt,
                    updatedAt: project.updatedAt, startedAt: nil, submittedAt: nil, finishedAt: nil), on: db)
            }
            prelabels = try PrelabelJobStore.queue(taskIDs: createdIDs, projectID: project.id, on: db)
            var tokens: [String: String] = [:]
            for (worker, token) in [annotator, reviewer] { if let token { tokens[worker.email] = token } }
            return AnnotationAssignment(project: project, tasksCreated: createdIDs.count, taskCount: existing.count + createdIDs.count,
                                        annotator: annotator.worker, reviewer: reviewer.worker, newTokens: tokens)
        }
        prelabeler?.submit(prelabels)
        return assignment
    }
}
