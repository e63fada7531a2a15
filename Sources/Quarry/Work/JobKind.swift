/// The kinds of durable background work. A job is a row of its kind's table with the columns the job
/// runner owns: `status` (a `JobStatus`), `error`, `started_at` and `finished_at`.
public enum JobKind: String, Sendable, CaseIterable {
    case run
    case evaluation
    case modelExport
    case importJob

    var table: String {
        switch self {
        case .run: "runs"
        case .evaluation: "evaluations"
        case .modelExport: "model_exports"
        case .importJob: "import_jobs"
        }
    }

    /// What a restart makes of work the last process left pending or running: a run becomes
    /// `interrupted`, resumable from its last checkpoint; the rest fail, saying why, and can be made again.
    var afterRestart: (event: JobStatus.Event, error: String?) {
        switch self {
        case .run: (.interrupt, nil)
        case .importJob: (.fail, "interrupted by a restart; start the import again")
        case .evaluation, .modelExport: (.fail, "interrupted by a server restart; create it again")
        }
    }

    /// Whether a stopped, interrupted or failed job of this kind can go on: only runs, from their checkpoint.
    var resumes: Bool { self == .run }
}
