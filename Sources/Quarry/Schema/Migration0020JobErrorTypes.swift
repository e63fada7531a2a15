import Storage

extension Migrations {
    static let jobErrorTypes = Migration(version: 20, name: "job failure types", sql: """
        -- Beside a failed job's message, a stable word for what went wrong (JobFailure.Kind), so a client
        -- can act on a failed run without reading its message. Every job table has it: the job runner
        -- records failures alike for every kind. Earlier failures are typed from their messages as far as
        -- these say: a restart's, the GPU's out-of-memory error, else `internal`.
        ALTER TABLE runs ADD COLUMN error_type TEXT;
        ALTER TABLE evaluations ADD COLUMN error_type TEXT;
        ALTER TABLE model_exports ADD COLUMN error_type TEXT;
        ALTER TABLE import_jobs ADD COLUMN error_type TEXT;
        ALTER TABLE prelabel_jobs ADD COLUMN error_type TEXT;
        UPDATE runs SET error_type = \(typed) WHERE error IS NOT NULL;
        UPDATE evaluations SET error_type = \(typed) WHERE error IS NOT NULL;
        UPDATE model_exports SET error_type = \(typed) WHERE error IS NOT NULL;
        UPDATE import_jobs SET error_type = \(typed) WHERE error IS NOT NULL;
        UPDATE prelabel_jobs SET error_type = \(typed) WHERE error IS NOT NULL;
        """)

    /// The type of a failure recorded before types were, from its message. Written out rather than
    /// derived from `JobFailure` so the migration stays what it was when released.
    private static let typed = """
        CASE WHEN error LIKE 'interrupted by %' THEN 'interrupted' WHEN error LIKE '% is out of memory %' THEN 'out_of_memory' \
        ELSE 'internal' END
        """
}
