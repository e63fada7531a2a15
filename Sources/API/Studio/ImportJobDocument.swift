import HTTP
import Quarry

/// An import as the Studio API shows it (docs/studio.md, "Imports"): `error`, `dataset_id` and
/// `finished_at` are `null` until set, not missing.
struct ImportJobDocument: Encodable {
    let job: ImportJob

    init(_ job: ImportJob) {
        self.job = job
    }

    /// The import API's words for the job's status: it said `queued` and `done` before the job runner's
    /// vocabulary came, and clients read them.
    static func status(_ status: JobStatus) -> String {
        switch status {
        case .pending: "queued"
        case .completed: "done"
        default: status.rawValue
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(job.id, forKey: JSONKey("id"))
        try container.encode(job.projectID, forKey: JSONKey("project_id"))
        try container.encode(job.source, forKey: JSONKey("source"))
        try container.encode(Self.status(job.status), forKey: JSONKey("status"))
        try container.encode(job.total, forKey: JSONKey("total"))
        try container.encode(job.processed, forKey: JSONKey("processed"))
        try container.encode(job.imported, forKey: JSONKey("imported"))
        try container.encode(job.duplicates, forKey: JSONKey("duplicates"))
        try container.encode(job.skipped, forKey: JSONKey("skipped"))
        try container.encode(job.error, forKey: JSONKey("error"))
        try container.encode(job.datasetID, forKey: JSONKey("dataset_id"))
        try container.encode(job.createdAt, forKey: JSONKey("created_at"))
        try container.encode(job.finishedAt, forKey: JSONKey("finished_at"))
    }
}
