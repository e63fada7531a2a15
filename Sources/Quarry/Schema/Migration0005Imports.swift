import Storage

extension Migrations {
    static let imports = Migration(version: 5, name: "thumbnails and import jobs", sql: """
        -- One thumbnail per distinct image content, made once and kept. A few kilobytes each, so
        -- they live in SQLite rather than as files: no file to create per image, and written in
        -- the same transactions as the rows they belong with.
        CREATE TABLE thumbnails (
            image_blob TEXT PRIMARY KEY,
            data BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        -- Imports run in the background; this row is their progress and outcome. The images themselves
        -- are written in one transaction at the end, so an import never leaves half its images behind.
        CREATE TABLE import_jobs (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            status TEXT NOT NULL,
            total INTEGER NOT NULL DEFAULT 0,
            processed INTEGER NOT NULL DEFAULT 0,
            imported INTEGER NOT NULL DEFAULT 0,
            duplicates TEXT NOT NULL DEFAULT '[]',
            skipped TEXT NOT NULL DEFAULT '[]',
            error TEXT,
            dataset_id INTEGER,
            created_at TEXT NOT NULL,
            finished_at TEXT
        );
        """)
}
