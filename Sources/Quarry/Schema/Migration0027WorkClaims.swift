import Storage

extension Migrations {
    static let workClaims = Migration(version: 27, name: "work claimed from the database", sql: """
        -- Jobs wait `pending` until some process with a free slot and the device they ask for claims
        -- one (`JobRunner`); `attempts` counts the claims, so work that kills every process taking it
        -- stops being taken; `stop_requested` reaches the process running a job, whichever got the stop.
        ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE evaluations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE model_exports ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE import_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE prelabel_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE evaluations ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE model_exports ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE import_jobs ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE prelabel_jobs ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;
        -- The devices a job computes on (`cpu`, `gpu:0`, `gpu:0,gpu:1`); NULL where any process will do.
        -- Runs made before this column are finished, or are taken by any process.
        ALTER TABLE runs ADD COLUMN device TEXT;
        ALTER TABLE prelabel_jobs ADD COLUMN device TEXT;
        -- A run's checkpoints and frozen examples as blobs, so that any process can resume it.
        ALTER TABLE runs ADD COLUMN last_checkpoint_blob TEXT;
        ALTER TABLE runs ADD COLUMN best_checkpoint_blob TEXT;
        ALTER TABLE runs ADD COLUMN data_blob TEXT;
        -- What an import reads, so that any process can take it over: an uploaded archive as a blob,
        -- or a folder under the import root; and the layout asked for (NULL detects it).
        ALTER TABLE import_jobs ADD COLUMN archive_blob TEXT;
        ALTER TABLE import_jobs ADD COLUMN folder TEXT;
        ALTER TABLE import_jobs ADD COLUMN format TEXT;
        -- Which kind of process, and the devices it takes work for: `/api/system/devices` lists them.
        ALTER TABLE processes ADD COLUMN role TEXT NOT NULL DEFAULT 'serve';
        ALTER TABLE processes ADD COLUMN devices TEXT NOT NULL DEFAULT 'cpu';
        -- Interrupted pre-labels were queued again at each start; now they simply wait to be claimed.
        UPDATE prelabel_jobs SET status = 'pending' WHERE status = 'interrupted';
        CREATE INDEX runs_status ON runs(status);
        CREATE INDEX evaluations_status ON evaluations(status);
        CREATE INDEX model_exports_status ON model_exports(status);
        CREATE INDEX import_jobs_status ON import_jobs(status);
        """)
}
