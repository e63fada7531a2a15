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
    let database: Database
    let devices: ComputeDevices

    public func create(accountID: String, projectID: String, body: Data) throws -> Experiment {
        let config = try ExperimentConfig.parse(body)
        try checkDevice(config)
        let now = Timestamp.now()
        let experiment = Experiment(id: ID.make("exp"), projectID: projectID, config: config, createdAt: now, updatedAt: now)
        try database.write { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            do {
                try db.run("INSERT INTO experiments (id, project_id, name, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           [experiment.id, projectID, config.name, try Self.json(config), now, now])
            } catch let error as SQLiteError where error.isUniqueConstraintViolation {
                throw ExperimentError.nameTaken(config.name)
            }
        }
        return experiment
    }

    public func list(accountID: String, projectID: String) throws -> [Experiment] {
        try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try db.query("SELECT * FROM experiments WHERE project_id = ? ORDER BY created_at, id", [projectID]).map(Self.experiment)
        }
    }

    public func get(accountID: String, projectID: String, id: String) throws -> Experiment {
        try database.read { db in try Self.find(accountID: accountID, projectID: projectID, id: id, on: db) }
    }

    /// Changes the keys the body names and validates the result as a whole.
    public func update(accountID: String, projectID: String, id: String, body: Data) throws -> Experiment {
        try database.write { db in
            let current = try Self.find(accountID: accountID, projectID: projectID, id: id, on: db)
            let config = try ExperimentConfig.parse(body, over: current.config)
            try checkDevice(config)
            let now = Timestamp.now()
            do {
                try db.run("UPDATE experiments SET name = ?, config = ?, updated_at = ? WHERE id = ?",
                           [config.name, try Self.json(config), now, id])
            } catch let error as SQLiteError where error.isUniqueConstraintViolation {
                throw ExperimentError.nameTaken(config.name)
            }
            return Experiment(id: id, projectID: projectID, config: config, createdAt: current.createdAt, updatedAt: now)
        }
    }

    /// A GPU the driver does not list is refused when the experiment is saved, not when it first runs.
    private func checkDevice(_ config: ExperimentConfig) throws(ExperimentError) {
        if let reason = devices.unavailability(config.device, batchSize: config.batch_size) {
            throw .invalid(field: "device", reason: reason)
        }
    }

    public func delete(accountID: String, projectID: String, id: String) throws {
        try database.write { db in
            _ = try Self.find(accountID: accountID, projectID: projectID, id: id, on: db)
            try db.run("DELETE FROM experiments WHERE id = ?", [id])
        }
    }

    static func find(accountID: String, projectID: String, id: String, on db: Connection) throws -> Experiment {
        _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
        guard let row = try db.queryOne("SELECT * FROM experiments WHERE id = ? AND project_id = ?", [id, projectID]) else {
            throw ExperimentError.notFound(id)
        }
        return try experiment(row)
    }

    private static func experiment(_ row: Row) throws -> Experiment {
        Experiment(id: try row.string("id"), projectID: try row.string("project_id"),
                   config: try ExperimentConfig.parse(Data(try row.string("config").utf8)),
                   createdAt: try row.string("created_at"), updatedAt: try row.string("updated_at"))
    }

    private static func json(_ config: ExperimentConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }
}
