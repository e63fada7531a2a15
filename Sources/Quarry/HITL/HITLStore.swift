import Foundation
import Storage

/// The HITL side of the `tasks` table (source `hitl`), and `job_files`: a job's delivery settings, files and times.
enum HITLStore {
    /// The project's jobs, oldest first, a page of them, and how many there are.
    static func jobs(projectID: String, page: Int, pageSize: Int, on db: Connection) throws -> (jobs: [HITLJob], total: Int) {
        let total = try db.scalar("SELECT COUNT(*) FROM tasks WHERE project_id = ? AND source = 'hitl'", [projectID]).intValue
        let ids = try db.query("""
            SELECT id FROM tasks WHERE project_id = ? AND source = 'hitl' ORDER BY created_at, id LIMIT ? OFFSET ?
            """, [projectID, pageSize, (page - 1) * pageSize]).map { try $0.string("id") }
        return (try ids.compactMap { try job(id: $0, on: db) }, total)
    }

    /// When each of the project's jobs was made, started and finished, for the metrics.
    static func times(projectID: String, on db: Connection) throws -> [JobTimes] {
        try db.query("SELECT status, created_at, started_at, finished_at FROM tasks WHERE project_id = ? AND source = 'hitl'", [projectID])
            .compactMap { row in
                guard let created = Timestamp.parse(try row.string("created_at")) else { return nil }
                return JobTimes(projectID: projectID, status: TaskStatus(rawValue: try row.string("status")) ?? .error, created: created,
                                started: try row.optionalString("started_at").flatMap(Timestamp.parse),
                                finished: try row.optionalString("finished_at").flatMap(Timestamp.parse))
            }
    }

    static func job(id: String, on db: Connection) throws -> HITLJob? {
        guard let task = try TaskStore.find(id: id, on: db), task.source == .hitl,
              let row = try db.queryOne("""
                SELECT p.account_id, t.expires_at, t.error_message, t.webhook_url, t.webhook_headers, t.client_predictions, t.link_base
                FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = ?
                """, [id]) else { return nil }
        let headers = try row.optionalString("webhook_headers").flatMap {
            try JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        } ?? [:]
        let files = try db.query("SELECT position, blob, file_name, content_type, size FROM job_files WHERE task_id = ? ORDER BY position", [id])
            .compactMap { file -> HITLJob.File? in
                guard let blob = BlobID(hex: try file.string("blob")) else { return nil }
                return HITLJob.File(position: try file.int("position"), blob: blob, fileName: try file.string("file_name"),
                                    contentType: try file.string("content_type"), size: try file.int("size"))
            }
        return HITLJob(task: task, accountID: try row.string("account_id"), expiresAt: try row.optionalString("expires_at"),
                       errorMessage: try row.optionalString("error_message"), webhookURL: try row.optionalString("webhook_url"),
                       webhookHeaders: headers, clientPredictions: try row.optionalString("client_predictions"),
                       linkBase: try row.optionalString("link_base"), files: files)
    }

    static func setHITLFields(taskID: String, expiresAt: String?, webhookURL: String?, webhookHeaders: [String: String],
                              clientPredictions: String?, linkBase: String?, on db: Connection) throws {
        let headers = String(decoding: try JSONEncoder().encode(webhookHeaders), as: UTF8.self)
        try db.run("""
            UPDATE tasks SET expires_at = ?, webhook_url = ?, webhook_headers = ?, client_predictions = ?, link_base = ? WHERE id = ?
            """, [expiresAt, webhookURL, headers, clientPredictions, linkBase, taskID])
    }

    static func insertFile(taskID: String, position: Int, file: FileDownloads.Stored, on db: Connection) throws {
        try db.run("""
            INSERT INTO job_files (task_id, position, blob, file_name, content_type, size, source_url) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [taskID, position, file.blob.hex, file.fileName, file.kind.contentType, file.size, file.url])
    }

    /// The dataset HITL job images live in, one per project, made on first use.
    static func jobsDataset(projectID: String, on db: Connection) throws -> Int {
        if let row = try db.queryOne("SELECT id FROM datasets WHERE project_id = ? AND name = ?", [projectID, jobsDatasetName]) {
            return try row.int("id")
        }
        return try DatasetStore.insert(projectID: projectID, name: jobsDatasetName, license: "", createdAt: Timestamp.now(), on: db)
    }

    static let jobsDatasetName = "hitl-jobs"
}
