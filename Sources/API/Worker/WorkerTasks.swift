import HTTP
import Quarry

/// The worker API's handlers.
struct WorkerTasks: Sendable {
    let services: Services

    func list(_ request: Request, _ worker: Worker) throws -> Response {
        let roleName = request.query["role"] ?? "annotator"
        guard let role = WorkerRole(rawValue: roleName) else { throw APIError.badRequest("role must be annotator or reviewer") }
        let tasks = try services.labeling.tasks(for: worker, role: role)
        return JSON.response(["tasks": tasks.map(TaskSummaryBody.init)])
    }

    func open(_ request: Request, _ worker: Worker) throws -> Response {
        JSON.response(TaskBody(try services.labeling.open(taskID: request.parameter("task_id") ?? "", worker: worker), worker: worker))
    }

    func saveDraft(_ request: Request, _ worker: Worker) throws -> Response {
        let labels = try JSON.decode(LabelsBody.self, from: request).annotations
        let taskID = request.parameter("task_id") ?? ""
        _ = try services.labeling.saveDraft(taskID: taskID, worker: worker, labels: labels)
        return JSON.response(TaskBody(try services.labeling.open(taskID: taskID, worker: worker), worker: worker))
    }

    func submit(_ request: Request, _ worker: Worker) throws -> Response {
        let labels = try JSON.decode(LabelsBody.self, from: request).annotations
        let taskID = request.parameter("task_id") ?? ""
        _ = try services.labeling.submit(taskID: taskID, worker: worker, labels: labels)
        return JSON.response(TaskBody(try services.labeling.open(taskID: taskID, worker: worker), worker: worker))
    }

    func review(_ request: Request, _ worker: Worker) throws -> Response {
        struct Body: Decodable {
            let decision: String
            let comment: String?
        }
        let body = try JSON.decode(Body.self, from: request)
        guard body.decision == "approve" || body.decision == "reject" else {
            throw APIError.badRequest("decision must be approve or reject")
        }
        let taskID = request.parameter("task_id") ?? ""
        _ = try services.labeling.review(taskID: taskID, worker: worker, approve: body.decision == "approve", comment: body.comment)
        return JSON.response(TaskBody(try services.labeling.open(taskID: taskID, worker: worker), worker: worker))
    }

    /// An image of one of the worker's tasks; images outside their tasks do not exist for them.
    func image(_ request: Request, _ worker: Worker) throws -> Response {
        let view = try services.labeling.open(taskID: request.parameter("task_id") ?? "", worker: worker)
        guard let id = request.parameter("image_id").flatMap(Int.init), let image = view.images.first(where: { $0.id == id }) else {
            throw APIError.notFound("image not found in this task")
        }
        return try BlobResponse.make(image.blob, in: services.blobs, contentType: image.format.mimeType, caching: .immutable)
    }
}

private struct LabelsBody: Decodable {
    let annotations: [ImageLabels]
}

private struct TaskSummaryBody: Encodable {
    let id: String
    let status: String
    let project_id: String
    let image_ids: [Int]
    let review_comment: String?
    let created_at: String
    let updated_at: String

    init(_ task: LabelTask) {
        id = task.id
        status = task.status.rawValue
        project_id = task.projectID
        image_ids = task.imageIDs
        review_comment = task.reviewComment
        created_at = task.createdAt
        updated_at = task.updatedAt
    }
}

private struct TaskBody: Encodable {
    struct ImageBody: Encodable {
        let id: Int
        let url: String
        let file_name: String
        let width: Int
        let height: Int
    }

    let id: String
    let status: String
    let project: [String: String]
    /// The roles the caller holds on this task: "annotator", "reviewer" or both.
    let roles: [String]
    let images: [ImageBody]
    let classes: [LabelClass]
    let predictions: [ImageLabels]
    /// A HITL job's own predictions, exactly as its client sent them.
    let job_predictions: JSONValue?
    let annotations: [ImageLabels]
    let draft: [ImageLabels]?
    let review_comment: String?
    let created_at: String
    let started_at: String?
    let submitted_at: String?
    let finished_at: String?

    init(_ view: TaskView, worker: Worker) {
        let task = view.task
        id = task.id
        status = task.status.rawValue
        project = ["id": view.project.id, "name": view.project.name]
        roles = [task.annotatorID == worker.id ? "annotator" : nil, task.reviewerID == worker.id ? "reviewer" : nil].compactMap { $0 }
        images = view.images.map {
            ImageBody(id: $0.id, url: "/worker/tasks/\(task.id)/images/\($0.id)", file_name: $0.fileName, width: $0.width, height: $0.height)
        }
        classes = view.classes
        predictions = task.predictions
        job_predictions = view.clientPredictions
        annotations = task.annotations
        draft = task.draft
        review_comment = task.reviewComment
        created_at = task.createdAt
        started_at = task.startedAt
        submitted_at = task.submittedAt
        finished_at = task.finishedAt
    }
}
