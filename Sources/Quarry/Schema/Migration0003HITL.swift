import Storage

extension Migrations {
    static let hitl = Migration(version: 3, name: "HITL jobs, files, webhooks and expiry", sql: """
        -- HITL projects carry an instructions file, and the workers new jobs are assigned to.
        ALTER TABLE projects ADD COLUMN instructions_blob TEXT;
        ALTER TABLE projects ADD COLUMN instructions_name TEXT;
        ALTER TABLE projects ADD COLUMN default_annotator_id TEXT REFERENCES workers(id) ON DELETE SET NULL;
        ALTER TABLE projects ADD COLUMN default_reviewer_id TEXT REFERENCES workers(id) ON DELETE SET NULL;
        ALTER TABLE tasks ADD COLUMN expires_at TEXT;
        ALTER TABLE tasks ADD COLUMN error_message TEXT;
        ALTER TABLE tasks ADD COLUMN webhook_url TEXT;
        ALTER TABLE tasks ADD COLUMN webhook_headers TEXT;
        -- A HITL job's predictions exactly as the client sent them (their shape is agreed per account).
        ALTER TABLE tasks ADD COLUMN client_predictions TEXT;
        CREATE INDEX tasks_expiry ON tasks(expires_at) WHERE expires_at IS NOT NULL;
        -- The files a HITL job was made from, in order; image files are also images of the task.
        CREATE TABLE job_files (
            task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            blob TEXT NOT NULL,
            file_name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            source_url TEXT NOT NULL,
            PRIMARY KEY (task_id, position)
        );
        CREATE INDEX job_files_blob ON job_files(blob);
        -- The outbox: a row is written in the same transaction as the job change it reports.
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            task_id TEXT NOT NULL,
            event TEXT NOT NULL,
            url TEXT NOT NULL,
            headers TEXT NOT NULL,
            body BLOB NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            delivered_at TEXT,
            last_error TEXT
        );
        CREATE INDEX webhook_due ON webhook_deliveries(status, next_attempt_at);
        CREATE INDEX webhook_task ON webhook_deliveries(task_id);
        CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            at TEXT NOT NULL,
            status_code INTEGER,
            error TEXT,
            duration_ms INTEGER NOT NULL,
            PRIMARY KEY (delivery_id, attempt)
        );
        CREATE TABLE account_secrets (
            account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            webhook_secret BLOB NOT NULL
        );
        """)
}
