import Storage

extension Migrations {
    /// Kept only with a blob store shared by several processes (S3): a put holds its blob until
    /// `held_until`, and a collection marks the blobs it is deleting (`deleting_since`), so no put loses
    /// its blob to a collection in another process (`BlobHolds`, `DatabaseBlobHolds`).
    static let blobHolds = Migration(version: 25, name: "blob holds for a shared bucket", sql: DatabaseBlobHolds.schema)
}
