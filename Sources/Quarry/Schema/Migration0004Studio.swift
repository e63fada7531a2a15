import Storage

extension Migrations {
    static let studio = Migration(version: 4, name: "image classes and splits", sql: """
        -- The class of an image for classification: set by class-per-folder imports, and by an approved
        -- task's tag label (the closed loop: what people label becomes training data).
        ALTER TABLE images ADD COLUMN class_name TEXT;
        CREATE INDEX images_class ON images(class_name);
        -- Splits of a project's images, numbered from 0 in creation order; deleting one renumbers the rest.
        CREATE TABLE splits (
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            seed INTEGER NOT NULL,
            ratios TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (project_id, position)
        );
        CREATE TABLE split_assignments (
            project_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            subset TEXT NOT NULL,
            PRIMARY KEY (project_id, position, image_id),
            FOREIGN KEY (project_id, position) REFERENCES splits(project_id, position) ON DELETE CASCADE ON UPDATE CASCADE
        );
        """)
}
