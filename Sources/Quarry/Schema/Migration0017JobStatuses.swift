import Storage

extension Migrations {
    static let jobStatuses = Migration(version: 17, name: "one job status vocabulary", sql: """
        -- Every kind of background work records the job runner's statuses (JobStatus) and stamps its start:
        -- imports said queued and done where the others say pending and completed, and imports and model
        -- exports kept no start time. The import API still shows its own words (ImportJob).
        UPDATE import_jobs SET status = 'pending' WHERE status = 'queued';
        UPDATE import_jobs SET status = 'completed' WHERE status = 'done';
        ALTER TABLE import_jobs ADD COLUMN started_at TEXT;
        ALTER TABLE model_exports ADD COLUMN started_at TEXT;
        """)
}
