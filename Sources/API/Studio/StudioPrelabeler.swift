import Foundation
import HTTP
import Quarry

/// `/api/projects/{project_id}/prelabeler`: the run's checkpoint that pre-labels the project's new tasks.
struct StudioPrelabeler: Sendable {
    let services: Services

    private struct Body: Encodable {
        let run_id: String?
        let checkpoint: String?
        let device: String?

        init(_ setting: Prelabeler.Setting?) {
            (run_id, checkpoint, device) = (setting?.runID, setting?.checkpoint.rawValue, setting?.device.description)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(run_id, forKey: JSONKey("run_id"))
            try container.encode(checkpoint, forKey: JSONKey("checkpoint"))
            try container.encode(device, forKey: JSONKey("device"))
        }
    }

    private struct JobBody: Encodable {
        struct Image: Encodable {
            let image_id: Int
            let file_name: String
            let labels: [Label]
        }

        let job_id: String
        let task_id: String
        let status: String
        let error: String?
        let created_at: String
        let finished_at: String?
        let images: [Image]

        init(_ job: Prelabeler.Job) {
            (job_id, task_id, status, error) = (job.id, job.taskID, job.status.rawValue, job.error)
            (created_at, finished_at) = (job.createdAt, job.finishedAt)
            images = job.images.map { Image(image_id: $0.imageID, file_name: $0.fileName, labels: $0.labels) }
        }
    }

    private struct Choice: Decodable {
        let run_id: String
        let checkpoint: String?
        let device: String?
    }

    func get(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(Body(try services.prelabeler.get(accountID: account.id, projectID: request.parameter("project_id") ?? "")))
    }

    /// `{"run_id", "checkpoint", "device"}`, `checkpoint` `best` by default, `device` the run's (when here).
    func set(_ request: Request, _ account: Account) throws -> Response {
        let body = try JSON.decode(Choice.self, from: request)
        let setting = try services.prelabeler.set(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                  runID: body.run_id,
                                                  checkpoint: try JSON.choice(body.checkpoint, "checkpoint", or: .best),
                                                  device: try Studio.device(body.device))
        return Studio.ok(Body(setting))
    }

    /// The newest pre-label jobs: the tasks the model labeled (or is about to), with its predictions.
    func jobs(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.prelabeler.jobs(accountID: account.id, projectID: request.parameter("project_id") ?? "").map(JobBody.init))
    }

    func clear(_ request: Request, _ account: Account) throws -> Response {
        try services.prelabeler.clear(accountID: account.id, projectID: request.parameter("project_id") ?? "")
        return Studio.ok(Body(nil))
    }
}
