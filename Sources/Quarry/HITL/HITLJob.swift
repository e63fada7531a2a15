import Foundation
import Storage

/// A HITL job: a task plus what only HITL jobs carry.
public struct HITLJob: Sendable {
    public struct File: Sendable {
        public let position: Int
        public let blob: BlobID
        public let fileName: String
        public let contentType: String
        public let size: Int
    }

    public let task: LabelTask
    public let accountID: String
    public let expiresAt: String?
    public let errorMessage: String?
    public let webhookURL: String?
    public let webhookHeaders: [String: String]
    /// The client's predictions exactly as sent, as JSON text.
    public let clientPredictions: String?
    /// The base URL of the request that created the job (`JobLinks`); nil for jobs made before it was kept.
    public let linkBase: String?
    public let files: [File]
}
