import Storage

/// The `prelabel_jobs` table: one job per new task of a project that has a pre-labeler.
enum PrelabelJobStore {
    /// Queues a pending job for each task, inside the caller's transaction (the one that creates the
    /// tasks); the ids, to submit once it commits. None when the project has no pre-labeler.
    static func queue(taskIDs: [String], projectID: String, on db: any Connection) throws -> [String] {
        guard !taskIDs.isEmpty, let setting = try ProjectStore.prelabeler(projectID: projectID, on: db) else { return [] }
        let now = Timestamp.now()
        return try taskIDs.map { taskID in
            let id = ID.make("prelabel")
            // Claimed by a process with the pre-labeler's device (`WorkDevices`).
            try db.run("INSERT INTO prelabel_jobs (id, project_id, task_id, status, created_at, device) VALUES (?, ?, ?, ?, ?, ?)",
                       [id, projectID, taskID, JobStatus.pending.rawValue, now, setting.device.description])
            return id
        }
    }

    /// The job's task and project, if the job (and so its task) still exists.
    static func find(id: String, on db: any Connection) throws -> (taskID: String, projectID: String)? {
        try db.queryOne("SELECT task_id, project_id FROM prelabel_jobs WHERE id = ?", [id]).map {
            (try $0.string("task_id"), try $0.string("project_id"))
        }
    }

    /// The project's newest jobs first, at most `limit`, each with its task's images and their predictions.
    static func recent(projectID: String, limit: Int, on db: any Connection) throws -> [Prelabeler.Job] {
        try db.query("SELECT id, task_id, status, error, created_at, finished_at FROM prelabel_jobs WHERE project_id = ? "
                     + "ORDER BY created_at DESC, id DESC LIMIT ?", [projectID, limit]).map { row in
            let task = try TaskStore.find(id: try row.string("task_id"), on: db)
            let predictions = Dictionary((task?.predictions ?? []).map { ($0.imageID, $0.labels) }, uniquingKeysWith: { first, _ in first })
            let images = try (task?.imageIDs ?? []).map { id in
                Prelabeler.Job.Image(imageID: id, fileName: try DatasetStore.image(id: id, on: db)?.fileName ?? "", labels: predictions[id] ?? [])
            }
            return Prelabeler.Job(id: try row.string("id"), taskID: try row.string("task_id"),
                                  status: JobStatus(rawValue: try row.string("status")) ?? .failed, error: try row.optionalString("error"),
                                  createdAt: try row.string("created_at"), finishedAt: try row.optionalString("finished_at"), images: images)
        }
    }
}
