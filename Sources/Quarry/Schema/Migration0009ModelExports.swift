import Storage

extension Migrations {
    static let modelExports = Migration(version: 9, name: "model exports", sql: """
        -- A run's checkpoint written out as a model file (`request` is the ModelExportRequest as JSON).
        -- The file is a blob, referenced here once the export completes.
        CREATE TABLE model_exports (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            request TEXT NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            blob TEXT,
            size INTEGER,
            file_name TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX model_exports_project ON model_exports(project_id);
        """)
}
