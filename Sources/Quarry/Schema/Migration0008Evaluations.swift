import Storage

extension Migrations {
    static let evaluations = Migration(version: 8, name: "evaluations", sql: """
        -- An evaluation runs a run's checkpoint over one subset of a split. `report` is the
        -- ClassificationReport as JSON once it completes; the per-image outcomes are rows of
        -- evaluation_results, written in the same transaction.
        CREATE TABLE evaluations (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            experiment_id TEXT NOT NULL,
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            checkpoint TEXT NOT NULL,
            split_index INTEGER NOT NULL,
            split_subset TEXT NOT NULL,
            batch_size INTEGER NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            report TEXT,
            skipped INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX evaluations_project ON evaluations(project_id);
        CREATE INDEX evaluations_run ON evaluations(run_id);
        CREATE TABLE evaluation_results (
            evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            file_name TEXT NOT NULL,
            ground_truth TEXT NOT NULL,
            prediction TEXT NOT NULL,
            confidence REAL NOT NULL,
            loss REAL NOT NULL,
            correct INTEGER NOT NULL,
            PRIMARY KEY (evaluation_id, position)
        );
        """)
}
