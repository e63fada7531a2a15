import Storage

extension Migrations {
    static let training = Migration(version: 6, name: "experiments", sql: """
        -- An experiment is a named, validated training configuration of a project; runs train it.
        CREATE TABLE experiments (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            config TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (project_id, name)
        );
        """)
}
