import Foundation
import Storage

/// The `experiments` table: a project's saved configurations, one name each.
enum ExperimentStore {
    /// Inserts `experiment`; a name the project already has is `ExperimentError.nameTaken`.
    static func insert(_ experiment: Experiment, on db: any Connection) throws {
        try unique(experiment.config.name) {
            try db.run("INSERT INTO experiments (id, project_id, name, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                       [experiment.id, experiment.projectID, experiment.config.name, try experiment.config.storedText, experiment.createdAt,
                        experiment.updatedAt])
        }
    }

    static func update(_ experiment: Experiment, on db: any Connection) throws {
        try unique(experiment.config.name) {
            try db.run("UPDATE experiments SET name = ?, config = ?, updated_at = ? WHERE id = ?",
                       [experiment.config.name, try experiment.config.storedText, experiment.updatedAt, experiment.id])
        }
    }

    static func list(projectID: String, on db: any Connection) throws -> [Experiment] {
        try db.query("SELECT * FROM experiments WHERE project_id = ? ORDER BY created_at, id", [projectID]).map(experiment)
    }

    static func find(id: String, projectID: String, on db: any Connection) throws -> Experiment? {
        try db.queryOne("SELECT * FROM experiments WHERE id = ? AND project_id = ?", [id, projectID]).map(experiment)
    }

    static func delete(id: String, on db: any Connection) throws {
        try db.run("DELETE FROM experiments WHERE id = ?", [id])
    }

    private static func unique(_ name: String, _ write: () throws -> Void) throws {
        do {
            try write()
        } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
            throw ExperimentError.nameTaken(name)
        }
    }

    private static func experiment(_ row: Row) throws -> Experiment {
        Experiment(id: try row.string("id"), projectID: try row.string("project_id"),
                   config: try ExperimentConfig.stored(try row.string("config")),
                   createdAt: try row.string("created_at"), updatedAt: try row.string("updated_at"))
    }

}
