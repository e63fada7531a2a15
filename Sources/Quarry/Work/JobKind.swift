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

    /// The column naming the devices a job computes on (`WorkDevices`); kinds without one need a CPU.
    var deviceColumn: String? {
        switch self {
        case .run, .evaluation, .prelabel: "device"
        case .modelExport, .importJob: nil
        }
    }

    /// How many times a job is claimed before a process going away under it settles it for good: work
    /// that kills each process taking it (memory, a driver fault) must not go round the deployment forever.
    static let maximumAttempts = 3

    /// What becomes of a job whose process went away under it for the last time: a run is `interrupted`,
    /// resumable by hand from its last checkpoint; the rest fail, saying why, and can be made again.
    var afterLastAttempt: (event: JobStatus.Event, failure: JobFailure) {
        let attempts = "the process performing it went away \(Self.maximumAttempts) times"
        return switch self {
        case .run: (.interrupt, JobFailure(.interrupted, "\(attempts); resume it to try again"))
        case .prelabel: (.fail, JobFailure(.interrupted, "\(attempts)"))
        case .importJob: (.fail, JobFailure(.interrupted, "\(attempts); start the import again"))
        case .evaluation, .modelExport: (.fail, JobFailure(.interrupted, "\(attempts); create it again"))
        }
    }
}
