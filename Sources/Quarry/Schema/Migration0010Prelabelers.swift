import Storage

extension Migrations {
    static let prelabelers = Migration(version: 10, name: "pre-labelers", sql: """
        -- The model (a run's checkpoint) that pre-labels a project's new tasks; cleared with its run.
        ALTER TABLE projects ADD COLUMN prelabel_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL;
        ALTER TABLE projects ADD COLUMN prelabel_checkpoint TEXT;
        """)
}
