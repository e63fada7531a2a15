import Foundation
import Storage

/// The HITL side of the `tasks` table (source `hitl`), and `job_files`: a job's delivery settings, files and times.
enum HITLStore {
    /// A job's columns: its task's and what only HITL jobs have, read `FROM tasks t JOIN projects p`.
    private static let columns = TaskStore.columns + """
        , p.account_id, t.expires_at, t.error_message, t.webhook_url, t.webhook_headers, t.client_predictions, t.link_base
        """
    private static let projectJobs = """
        FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.project_id = ? AND t.source = 'hitl'
        """

    /// How many jobs the project has, and the last of them in listing order (oldest first).
    static func extent(projectID: String, on db: any Connection) throws -> (total: Int, last: JobPosition?) {
        let total = try db.scalar("SELECT COUNT(*) FROM tasks WHERE project_id = ? AND source = 'hitl'", [projectID]).intValue
        let last = try db.queryOne("""
            SELECT created_at, id FROM tasks WHERE project_id = ? AND source = 'hitl' ORDER BY created_at DESC, id DESC LIMIT 1
            """, [projectID]).map { JobPosition(createdAt: try $0.string("created_at"), id: try $0.string("id")) }
        return (total, last)
    }

    /// The project's jobs, oldest first, a page of them, and how many there are.
    static func jobs(projectID: String, page: Int, pageSize: Int, on db: any Connection) throws -> (jobs: [HITLJob], total: Int) {
        let total = try extent(projectID: projectID, on: db).total
        let rows = try db.query("SELECT \(columns) \(projectJobs) ORDER BY t.created_at, t.id LIMIT ? OFFSET ?",
                                [projectID, pageSize, (page - 1) * pageSize])
        return (try assemble(rows, on: db), total)
    }

    /// Up to `limit` of the project's jobs in listing order that come after `after` (from the first when
    /// nil) and not after `last`: a seek on `tasks_project_created`, so a batch costs the same anywhere in the list.
    static func jobs(projectID: String, after: JobPosition?, through last: JobPosition, limit: Int, on db: any Connection) throws -> [HITLJob] {
        let rows = try db.query("""
            SELECT \(columns) \(projectJobs) AND (t.created_at, t.id) > (?, ?) AND (t.created_at, t.id) <= (?, ?)
            ORDER BY t.created_at, t.id LIMIT ?
            """, [projectID, after?.createdAt ?? "", after?.id ?? "", last.createdAt, last.id, limit])
        return try assemble(rows, on: db)
    }

    /// When each of the project's jobs was made, started and finished, for the metrics.
    static func times(projectID: String, on db: any Connection) throws -> [JobTimes] {
        try db.query("SELECT status, created_at, started_at, finished_at FROM tasks WHERE project_id = ? AND source = 'hitl'", [projectID])
            .compactMap { row in
                guard let created = Timestamp.parse(try row.string("created_at")) else { return nil }
                return JobTimes(projectID: projectID, status: TaskStatus(rawValue: try row.string("status")) ?? .error, created: created,
                                started: try row.optionalString("started_at").flatMap(Timestamp.parse),
                                finished: try row.optionalString("finished_at").flatMap(Timestamp.parse))
            }
    }

    static func job(id: String, on db: any Connection) throws -> HITLJob? {
        let rows = try db.query("""
            SELECT \(columns) FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = ? AND t.source = 'hitl'
            """, [id])
        return try assemble(rows, on: db).first
    }

    /// Jobs from rows of `columns`, with their files and their tasks' images, each read for all of them at once.
    private static func assemble(_ rows: [Row], on db: any Connection) throws -> [HITLJob] {
        guard !rows.isEmpty else { return [] }
        let ids: [any SQLConvertible] = try rows.map { try $0.string("id") }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        var files: [String: [HITLJob.File]] = [:]
        for file in try db.query("""
            SELECT task_id, position, blob, file_name, content_type, size FROM job_files
            WHERE task_id IN (\(placeholders)) ORDER BY task_id, position
            """, ids) {
            guard let blob = BlobID(hex: try file.string("blob")) else { continue }
            files[try file.string("task_id"), default: []].append(HITLJob.File(
                position: try file.int("position"), blob: blob, fileName: try file.string("file_name"),
                contentType: try file.string("content_type"), size: try file.int("size")))
        }
        let imageIDs = try TaskStore.imageIDs(taskIDs: try rows.map { try $0.string("id") }, on: db)
        let decoder = JSONDecoder()
        return try rows.map { row in
            let task = try TaskStore.task(row, imageIDs: imageIDs[try row.string("id")] ?? [])
            let headers = try row.optionalString("webhook_headers").flatMap {
                try decoder.decode([String: String].self, from: Data($0.utf8))
            } ?? [:]
            return HITLJob(task: task, accountID: try row.string("account_id"), expiresAt: try row.optionalString("expires_at"),
                           errorMessage: try row.optionalString("error_message"), webhookURL: try row.optionalString("webhook_url"),
                           webhookHeaders: headers, clientPredictions: try row.optionalString("client_predictions"),
                           linkBase: try row.optionalString("link_base"), files: files[task.id] ?? [])
        }
    }

    static func setHITLFields(taskID: String, expiresAt: String?, webhookURL: String?, webhookHeaders: [String: String],
                              clientPredictions: String?, linkBase: String?, on db: any Connection) throws {
        let headers = String(decoding: try JSONEncoder().encode(webhookHeaders), as: UTF8.self)
        try db.run("""
            UPDATE tasks SET expires_at = ?, webhook_url = ?, webhook_headers = ?, client_predictions = ?, link_base = ? WHERE id = ?
            """, [expiresAt, webhookURL, headers, clientPredictions, linkBase, taskID])
    }

    static func insertFile(taskID: String, position: Int, file: FileDownloads.Stored, on db: any Connection) throws {
        try db.run("""
            INSERT INTO job_files (task_id, position, blob, file_name, content_type, size, source_url) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [taskID, position, file.blob.hex, file.fileName, file.kind.contentType, file.size, file.url])
    }

    /// The dataset HITL job images live in, one per project, made on first use.
    static func jobsDataset(projectID: String, on db: any Connection) throws -> Int {
        if let row = try db.queryOne("SELECT id FROM datasets WHERE project_id = ? AND name = ?", [projectID, jobsDatasetName]) {
            return try row.int("id")
        }
        return try DatasetStore.insert(projectID: projectID, name: jobsDatasetName, license: "", createdAt: Timestamp.now(), on: db)
    }

    static let jobsDatasetName = "hitl-jobs"
}
