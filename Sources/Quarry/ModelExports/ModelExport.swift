/// A model file being made or made: `pending` → `running` → `completed` (with its file) or `failed`.
public struct ModelExport: Sendable {
    public enum Status: String, Sendable {
        case pending, running, completed, failed

        public var isActive: Bool { self == .pending || self == .running }
    }

    public let id: String
    public let projectID: String
    public let request: ModelExportRequest
    public var status: Status
    public var error: String?
    public var blob: String?
    public var size: Int?
    /// What the download is called: the experiment's name, the run, the checkpoint, and the format's extension.
    public var fileName: String?
    public let createdAt: String
    public var finishedAt: String?
}
