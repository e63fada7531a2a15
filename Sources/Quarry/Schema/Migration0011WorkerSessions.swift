import Storage

extension Migrations {
    static let workerSessions = Migration(version: 11, name: "worker sessions", sql: """
        -- A browser signed in to the workbench: the SHA-256 of its cookie's secret, whose worker,
        -- and when it expires. Signing out or a new sign-in link for the worker ends it.
        CREATE TABLE worker_sessions (
            hash BLOB PRIMARY KEY,
            worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX worker_sessions_worker ON worker_sessions(worker_id);
        """)
}
