import Foundation
import Learn
import Storage

enum RunStore: ProjectJobStore {
    static func notFound(_ id: String) -> any Error { RunError.notFound(id) }
    static func stillActive(_ id: String) -> any Error { RunError.stillActive(id) }

    static func insert(_ run: Run, on db: any Connection) throws {
        try db.run("""
            INSERT INTO runs (id, project_id, experiment_id, status, config, classes, created_at, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [run.id, run.projectID, run.experimentID, run.status.rawValue, try run.config.storedText, try json(run.classes), run.createdAt,
                  deviceRequirement(run.config)])
    }

    /// The devices a process must have to claim the run (`WorkDevices`).
    private static func deviceRequirement(_ config: ExperimentConfig) -> String {
        WorkDevices.requirement(config.device.names)
    }

    /// The blob of the run's checkpoint, if it has one as a blob.
    static func checkpointBlob(_ runID: String, _ which: RunCheckpoint, on db: any Connection) throws -> BlobID? {
        try db.queryOne("SELECT \(which.rawValue)_checkpoint_blob AS blob FROM runs WHERE id = ?", [runID])
            .flatMap { try $0.optionalString("blob") }.flatMap(BlobID.init(hex:))
    }

    /// Names new checkpoints of the run (either may be nil: unchanged) with an epoch's metrics, in one write.
    static func recordCheckpoints(last: BlobID?, best: BlobID?, of run: Run, on db: any Connection) throws {
        try update(run, on: db)
        try db.run("UPDATE runs SET last_checkpoint_blob = COALESCE(?, last_checkpoint_blob), best_checkpoint_blob = COALESCE(?, best_checkpoint_blob) WHERE id = ?",
                   [last?.hex, best?.hex, run.id])
    }

    static func dataBlob(_ runID: String, on db: any Connection) throws -> BlobID? {
        try db.queryOne("SELECT data_blob FROM runs WHERE id = ?", [runID]).flatMap { try $0.optionalString("data_blob") }.flatMap(BlobID.init(hex:))
    }

    /// The examples the run froze at its first start; a later start keeps the first.
    static func recordDataBlob(_ blob: BlobID, runID: String, on db: any Connection) throws {
        try db.run("UPDATE runs SET data_blob = ? WHERE id = ? AND data_blob IS NULL", [blob.hex, runID])
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
        try db.run("UPDATE runs SET config = ?, device = ? WHERE id = ?", [try run.config.storedText, deviceRequirement(run.config), run.id])
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
