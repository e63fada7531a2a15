import Foundation
import Quarry

/// The job status object of the HITL spec, exactly its fields: dates in ISO 8601 (null until they
/// happen), `image` a URL that serves the job's first file to the same API key, `error` present
/// only when the status is `error`. Quarry's `review` status reads as `progress`: for the client,
/// the job is still being processed.
struct JobStatusDocument: Encodable, Sendable {
    struct ImageAnnotations: Encodable {
        let image_id: Int
        let labels: [Label]
    }

    struct Annotations: Encodable {
        let images: [ImageAnnotations]?

        func encode(to encoder: any Encoder) throws {
            // `{}` until there are results, so clients can test for emptiness the same way always.
            var container = encoder.container(keyedBy: JSONKey.self)
            if let images { try container.encode(images, forKey: JSONKey("images")) }
        }
    }

    let projectID: String
    let jobID: String
    let createDate: String
    let startDate: String?
    let finishDate: String?
    let status: String
    let annotations: Annotations
    let image: String?
    let error: String?
    /// The project's pre-labeler's predictions, when it made some (a client's own stay its own).
    let predictions: [ImageAnnotations]?

    init(_ job: HITLJob, baseURL: String) {
        let task = job.task
        projectID = task.projectID
        jobID = task.id
        createDate = task.createdAt
        startDate = task.startedAt
        finishDate = task.finishedAt
        status = task.status == .review ? TaskStatus.progress.rawValue : task.status.rawValue
        annotations = Annotations(images: task.annotations.isEmpty ? nil : task.annotations.map {
            ImageAnnotations(image_id: $0.imageID, labels: $0.labels)
        })
        image = job.files.first.map { "\(baseURL)/v1/jobs/\(task.projectID)/\(task.id)/files/\($0.position)" }
        error = task.status == .error ? (job.errorMessage ?? "the job was stopped") : nil
        predictions = task.predictions.isEmpty ? nil : task.predictions.map { ImageAnnotations(image_id: $0.imageID, labels: $0.labels) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(projectID, forKey: JSONKey("project_id"))
        try container.encode(jobID, forKey: JSONKey("job_id"))
        try container.encode(createDate, forKey: JSONKey("create_date"))
        try container.encode(startDate, forKey: JSONKey("start_date"))
        try container.encode(finishDate, forKey: JSONKey("finish_date"))
        try container.encode(status, forKey: JSONKey("status"))
        try container.encode(annotations, forKey: JSONKey("annotations"))
        try container.encode(image, forKey: JSONKey("image"))
        if let error { try container.encode(error, forKey: JSONKey("error")) }
        if let predictions { try container.encode(predictions, forKey: JSONKey("predictions")) }
    }
}

extension App {
    /// A job's webhook body: its status document, as `GET /v1/jobs/…` answers it, keys sorted. The
    /// server passes this to the domain (`Services.Settings.webhookBody`), which queues it.
    public static let webhookBody: WebhookBody = { job, baseURL in
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(JobStatusDocument(job, baseURL: baseURL)))
    }
}
