import Foundation
import Learn
import Storage

enum RunStore: ProjectJobStore {
    static func notFound(_ id: String) -> any Error { RunError.notFound(id) }
    static func stillActive(_ id: String) -> any Error { RunError.stillActive(id) }

    static func insert(_ run: Run, on db: any Connection) throws {
        try db.run("""
            INSERT INTO runs (id, project_id, experiment_id, status, config, classes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [run.id, run.projectID, run.experimentID, run.status.rawValue, try run.config.storedText, try json(run.classes), run.createdAt])
    }

    /// What training records as it goes; the status and its times are the job runner's (`JobRecords`).
    static func update(_ run: Run, on db: any Connection) throws {
        try db.run("UPDATE runs SET classes = ?, metrics = ?, best_val_accuracy = ? WHERE id = ?",
                   [try json(run.classes), try json(run.metrics), run.bestValidationAccuracy.map(Double.init), run.id])
    }

    /// What the run trains on, recorded when it first starts; a resume keeps the first record.
    static func recordData(_ data: RunData, runID: String, on db: any Connection) throws {
        try db.run("UPDATE runs SET data = ? WHERE id = ? AND data IS NULL", [try json(data), runID])
    }

    /// The configuration a run trains with; only a resume on another device changes it.
    static func updateConfig(_ run: Run, on db: any Connection) throws {
        try db.run("UPDATE runs SET config = ? WHERE id = ?", [try run.config.storedText, run.id])
    }

    /// The project's runs, newest first.
    static func list(projectID: String, on db: any Connection) throws -> [Run] {
        try db.query("SELECT * FROM runs WHERE project_id = ? ORDER BY created_at DESC, id DESC", [projectID]).map(run)
    }

    static func delete(id: String, on db: any Connection) throws {
        try db.run("DELETE FROM runs WHERE id = ?", [id])
    }

    static func find(id: String, on db: any Connection) throws -> Run? {
        try db.queryOne("SELECT * FROM runs WHERE id = ?", [id]).map(run)
    }

    static func run(_ row: Row) throws -> Run {
        let decoder = JSONDecoder()
        return Run(id: try row.string("id"), projectID: try row.string("project_id"), experimentID: try row.string("experiment_id"),
                   status: JobStatus(rawValue: try row.string("status")) ?? .failed,
                   config: try ExperimentConfig.stored(try row.string("config")),
                   classes: try decoder.decode([String].self, from: Data(try row.string("classes").utf8)),
                   metrics: try decoder.decode([EpochMetrics].self, from: Data(try row.string("metrics").utf8)),
                   bestValidationAccuracy: try row.optionalDouble("best_val_accuracy").map(Float.init),
                   data: try row.optionalString("data").map { try decoder.decode(RunData.self, from: Data($0.utf8)) }, error: try failure(row),
                   createdAt: try row.string("created_at"), startedAt: try row.optionalString("started_at"),
                   finishedAt: try row.optionalString("finished_at"))
    }

    /// A row's failure: its message and its type, which migration 20 gave every failure (a word this
    /// binary does not know reads as `internal`).
    private static func failure(_ row: Row) throws -> JobFailure? {
        guard let message = try row.optionalString("error") else { return nil }
        return JobFailure(JobFailure.Kind(rawValue: try row.optionalString("error_type") ?? "") ?? .internal, message)
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
