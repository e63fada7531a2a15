import Storage

extension Migrations {
    static let prelabelJobs = Migration(version: 18, name: "pre-labels as jobs", sql: """
        -- A task's pre-label is a job of the job runner: queued in the transaction that creates the task,
        -- so a restart (or a crash) between the two no longer loses it; interrupted ones are queued again
        -- at the next start. It goes with its task.
        CREATE TABLE prelabel_jobs (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            error TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX prelabel_jobs_task ON prelabel_jobs(task_id);
        CREATE INDEX prelabel_jobs_status ON prelabel_jobs(status);
        """)
}
