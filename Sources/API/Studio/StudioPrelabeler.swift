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

    func clear(_ request: Request, _ account: Account) throws -> Response {
        try services.prelabeler.clear(accountID: account.id, projectID: request.parameter("project_id") ?? "")
        return Studio.ok(Body(nil))
    }
}
