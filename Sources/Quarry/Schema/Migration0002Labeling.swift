import Storage

extension Migrations {
    static let labeling = Migration(version: 2, name: "projects, datasets, images, workers and tasks", sql: """
        -- A project belongs to one account; its name is unique within the account, since JTheta
        -- addresses projects by title. The two flags are JTheta's annotation-request options.
        CREATE TABLE projects (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            category TEXT NOT NULL DEFAULT '',
            task TEXT NOT NULL DEFAULT 'classification',
            status TEXT NOT NULL DEFAULT 'active',
            allow_class_creation INTEGER NOT NULL DEFAULT 0,
            auto_annotation INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (account_id, name)
        );
        CREATE TABLE label_classes (
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            PRIMARY KEY (project_id, position),
            UNIQUE (project_id, name)
        );
        -- Integer ids: JTheta's dataset_id is a number. AUTOINCREMENT so a deleted dataset's id is never reused.
        CREATE TABLE datasets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            license TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (project_id, name)
        );
        -- Bytes live in the blob store under their SHA-256; `file_name` is the uploader's name,
        -- kept for display and exports only, never used as a path.
        CREATE TABLE images (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            blob TEXT NOT NULL,
            file_name TEXT NOT NULL,
            format TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            size INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX images_dataset ON images(dataset_id);
        CREATE INDEX images_blob ON images(blob);
        -- Annotators and reviewers: people known by email within an account, who sign in to the
        -- workbench with a token of their own, stored hashed like API keys.
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            email TEXT NOT NULL,
            token_lookup TEXT NOT NULL,
            token_hash BLOB NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (account_id, email)
        );
        CREATE INDEX workers_token ON workers(token_lookup);
        -- One unit of human labeling over one or more images (task_images), shared by every API.
        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            status TEXT NOT NULL,
            annotator_id TEXT REFERENCES workers(id) ON DELETE SET NULL,
            reviewer_id TEXT REFERENCES workers(id) ON DELETE SET NULL,
            predictions TEXT,
            annotations TEXT,
            draft TEXT,
            review_comment TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            started_at TEXT,
            submitted_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX tasks_project ON tasks(project_id, status);
        CREATE INDEX tasks_annotator ON tasks(annotator_id, status);
        CREATE INDEX tasks_reviewer ON tasks(reviewer_id, status);
        CREATE TABLE task_images (
            task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            PRIMARY KEY (task_id, position)
        );
        CREATE INDEX task_images_image ON task_images(image_id);
        -- Export archives, reused while the content they were built from is unchanged.
        CREATE TABLE exports (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            blob TEXT NOT NULL,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (account_id, fingerprint)
        );
        -- Server-wide settings, such as the secret that signs download links.
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        """)
}
