/// SQL that takes a migrated schema back before migration 23 (detection results) and everything after it,
/// for the tests of one migration on the data from before it (`ImageCountMigrationTests`,
/// `JobErrorTypesMigrationTests`). A migration that changes a table these tests keep adds its undoing here.
enum MigrationRewind {
    /// On every table the tests keep but `prelabel_jobs`.
    static let sinceDetectionResults = """
        ALTER TABLE evaluation_results DROP COLUMN details; ALTER TABLE evaluation_results DROP COLUMN classes;
        ALTER TABLE evaluations DROP COLUMN snapshot; DROP TABLE weights; DROP TABLE blob_holds; DROP TABLE processes;
        ALTER TABLE runs DROP COLUMN claimed_by; ALTER TABLE evaluations DROP COLUMN claimed_by;
        ALTER TABLE model_exports DROP COLUMN claimed_by; ALTER TABLE import_jobs DROP COLUMN claimed_by;
        ALTER TABLE webhook_deliveries DROP COLUMN claimed_by;
        ALTER TABLE runs DROP COLUMN attempts; ALTER TABLE evaluations DROP COLUMN attempts;
        ALTER TABLE model_exports DROP COLUMN attempts; ALTER TABLE import_jobs DROP COLUMN attempts;
        ALTER TABLE runs DROP COLUMN stop_requested; ALTER TABLE evaluations DROP COLUMN stop_requested;
        ALTER TABLE model_exports DROP COLUMN stop_requested; ALTER TABLE import_jobs DROP COLUMN stop_requested;
        ALTER TABLE runs DROP COLUMN device; ALTER TABLE runs DROP COLUMN last_checkpoint_blob;
        ALTER TABLE runs DROP COLUMN best_checkpoint_blob; ALTER TABLE runs DROP COLUMN data_blob;
        ALTER TABLE import_jobs DROP COLUMN archive_blob; ALTER TABLE import_jobs DROP COLUMN folder;
        ALTER TABLE import_jobs DROP COLUMN format; DROP INDEX runs_status; DROP INDEX evaluations_status;
        DROP INDEX model_exports_status; DROP INDEX import_jobs_status;
        """

    /// On `prelabel_jobs`, for a test that keeps the table.
    static let prelabelJobsSinceProcesses = """
        ALTER TABLE prelabel_jobs DROP COLUMN claimed_by; ALTER TABLE prelabel_jobs DROP COLUMN attempts;
        ALTER TABLE prelabel_jobs DROP COLUMN stop_requested; ALTER TABLE prelabel_jobs DROP COLUMN device;
        """
}
