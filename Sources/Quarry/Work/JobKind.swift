/// The kinds of durable background work. A job is a row of its kind's table with the columns the job
/// runner owns: `status` (a `JobStatus`), `error` and `error_type` (a `JobFailure`), `started_at` and `finished_at`.
public enum JobKind: String, Sendable, CaseIterable {
    case run
    case evaluation
    case modelExport
    case importJob
    /// Predictions for one new task from the project's pre-labeler.
    case prelabel

    var table: String {
        switch self {
        case .run: "runs"
        case .evaluation: "evaluations"
        case .modelExport: "model_exports"
        case .importJob: "import_jobs"
        case .prelabel: "prelabel_jobs"
        }
    }

    /// What a restart makes of work the last process left pending or running: a run becomes
    /// `interrupted`, resumable from its last checkpoint, and so does a pre-label, which the pre-labeler
    /// queues again at the start (predicting twice is harmless: a task with predictions is skipped); the
    /// rest fail, saying why, and can be made again.
    var afterRestart: (event: JobStatus.Event, failure: JobFailure?) {
        switch self {
        case .run, .prelabel: (.interrupt, nil)
        case .importJob: (.fail, JobFailure(.interrupted, "interrupted by a restart; start the import again"))
        case .evaluation, .modelExport: (.fail, JobFailure(.interrupted, "interrupted by a server restart; create it again"))
        }
    }
}
