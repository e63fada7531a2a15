import Foundation
import HTTP
import Quarry

/// `/api/training/{project_id}/experiments`: validated training configurations.
struct StudioExperiments: Sendable {
    let services: Services

    private struct ExperimentBody: Encodable {
        let id: String
        let project_id: String
        let config: ExperimentConfig
        let created_at: String
        let updated_at: String

        init(_ experiment: Experiment) {
            id = experiment.id
            project_id = experiment.projectID
            config = experiment.config
            created_at = experiment.createdAt
            updated_at = experiment.updatedAt
        }
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.experiments.list(accountID: account.id, projectID: request.parameter("project_id") ?? "").map(ExperimentBody.init))
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        var config = ExperimentConfig(name: "")
        try Self.changes(request).apply(to: &config)
        let experiment = try services.experiments.create(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                         config: config)
        return Studio.ok(ExperimentBody(experiment), status: .created)
    }

    func get(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(ExperimentBody(try services.experiments.get(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                              id: request.parameter("exp_id") ?? "")))
    }

    /// Changes only the settings the body names.
    func update(_ request: Request, _ account: Account) throws -> Response {
        let changes = try Self.changes(request)
        return Studio.ok(ExperimentBody(try services.experiments.update(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                                        id: request.parameter("exp_id") ?? "", change: changes.apply)))
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        let id = request.parameter("exp_id") ?? ""
        try services.experiments.delete(accountID: account.id, projectID: request.parameter("project_id") ?? "", id: id)
        return Studio.deleted(id)
    }

    private static func changes(_ request: Request) throws(APIError) -> ExperimentConfigChanges {
        try JSON.decode(ExperimentConfigChanges.self, from: request, keys: ExperimentConfigChanges.keys)
    }
}
