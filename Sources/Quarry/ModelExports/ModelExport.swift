/// A model file being made or made. Its life is a job's (`JobStatus`): `pending` → `running` →
/// `completed` (with its file) or `failed`.
public struct ModelExport: ProjectJob {
    public let id: String
    public let projectID: String
    public let request: ModelExportRequest
    public var status: JobStatus
    public var error: String?
    public var blob: String?
    public var size: Int?
    /// What the download is called: the experiment's name, the run, the checkpoint, and the format's extension.
    public var fileName: String?
    public let createdAt: String
    public var finishedAt: String?
}
