import Foundation
import Learn
import Storage

/// A saved experiment.
public struct Experiment: Sendable, Equatable {
    public let id: String
    public let projectID: String
    public let config: ExperimentConfig
    public let createdAt: String
    public let updatedAt: String
}

/// Experiments of a project: validated configurations, created, changed and deleted.
public struct ExperimentService: Sendable {
    let database: any Database
    let devices: ComputeDevices
    let weights: WeightsService

    public func create(accountID: String, projectID: String, config: ExperimentConfig) throws -> Experiment {
        try config.validate()
        try checkDevice(config)
        try checkPretrained(config, accountID: accountID)
        let now = Timestamp.now()
        let experiment = Experiment(id: ID.make("exp"), projectID: projectID, config: config, createdAt: now, updatedAt: now)
        try database.write { db in
            try config.validate(for: try ProjectStore.owned(accountID: accountID, id: projectID, on: db).task)
            try ExperimentStore.insert(experiment, on: db)
        }
        return experiment
    }

    public func list(accountID: String, projectID: String) throws -> [Experiment] {
        try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try ExperimentStore.list(projectID: projectID, on: db)
        }
    }

    public func get(accountID: String, projectID: String, id: String) throws -> Experiment {
        try database.read { db in try Self.find(accountID: accountID, projectID: projectID, id: id, on: db) }
    }

    /// Applies `change` to the saved configuration (a PATCH changes only what it names) and
    /// validates the result as a whole.
    public func update(accountID: String, projectID: String, id: String,
                       change: (inout ExperimentConfig) throws -> Void) throws -> Experiment {
        try database.write { db in
            let current = try Self.find(accountID: accountID, projectID: projectID, id: id, on: db)
            var config = current.config
            try change(&config)
            try config.validate()
            try config.validate(for: try ProjectStore.owned(accountID: accountID, id: projectID, on: db).task)
            try checkDevice(config)
            try checkPretrained(config, accountID: accountID)
            let updated = Experiment(id: id, projectID: projectID, config: config, createdAt: current.createdAt, updatedAt: Timestamp.now())
            try ExperimentStore.update(updated, on: db)
            return updated
        }
    }

    /// Weights named as `pretrained` must be the account's (or the weights folder's) and hold the model's
    /// backbone whole (`validate` has checked that the model has one).
    func checkPretrained(_ config: ExperimentConfig, accountID: String) throws {
        guard let name = config.pretrained, let backbone = config.model.backbone else { return }
        guard let file = try weights.list(accountID: accountID).first(where: { $0.name == name }) else {
            throw ExperimentError.invalid(field: "pretrained", reason: "no weights are named \(name.prefix(128)): upload them to /api/models/weights")
        }
        guard file.fit?.backbone == backbone else {
            let held = file.fit.map { "\($0.model)'s" } ?? "no whole network of the zoo's"
            throw ExperimentError.invalid(field: "pretrained", reason: "\(name) holds \(held) weights, not \(backbone.classifier.rawValue)'s")
        }
    }

    /// A GPU no process could take is refused when the experiment is saved, not when it first runs
    /// (`validate` has checked that the selection is one).
    private func checkDevice(_ config: ExperimentConfig) throws {
        try devices.checkQueueable(config.device, on: database)
    }

    public func delete(accountID: String, projectID: String, id: String) throws {
        try database.write { db in
            _ = try Self.find(accountID: accountID, projectID: projectID, id: id, on: db)
            try ExperimentStore.delete(id: id, on: db)
        }
    }

    static func find(accountID: String, projectID: String, id: String, on db: any Connection) throws -> Experiment {
        _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
        guard let experiment = try ExperimentStore.find(id: id, projectID: projectID, on: db) else { throw ExperimentError.notFound(id) }
        return experiment
    }
}
