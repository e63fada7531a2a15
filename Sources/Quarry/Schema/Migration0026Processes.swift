import Storage

extension Migrations {
    static let processes = Migration(version: 26, name: "processes and the jobs they claim", sql: """
        -- Every `quarry serve` sharing the database, beating its heart here every few seconds
        -- (`ProcessRegistry`), and on each job the process that took it: a job whose process stopped
        -- beating, or left, is settled as a restart settles it, by whichever process notices first.
        CREATE TABLE processes (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL
        );
        ALTER TABLE runs ADD COLUMN claimed_by TEXT;
        ALTER TABLE evaluations ADD COLUMN claimed_by TEXT;
        ALTER TABLE model_exports ADD COLUMN claimed_by TEXT;
        ALTER TABLE import_jobs ADD COLUMN claimed_by TEXT;
        ALTER TABLE prelabel_jobs ADD COLUMN claimed_by TEXT;
        -- The process attempting a delivery now (`WebhookOutbox.claim`): a claim of one that has gone is
        -- let go at once, not when the claim's time runs out.
        ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
        """)
}
