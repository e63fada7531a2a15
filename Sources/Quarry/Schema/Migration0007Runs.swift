import Storage

extension Migrations {
    static let runs = Migration(version: 7, name: "runs", sql: """
        -- A run trains an experiment's configuration as it was when the run started (`config`).
        -- Its checkpoints are files under DATA/runs/<id>/ (last.ckpt, best.ckpt).
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            config TEXT NOT NULL,
            classes TEXT NOT NULL DEFAULT '[]',
            metrics TEXT NOT NULL DEFAULT '[]',
            best_val_accuracy REAL,
            error TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX runs_experiment ON runs(experiment_id);
        """)
}
