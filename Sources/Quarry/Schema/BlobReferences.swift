import Storage

/// Every column that names a blob (its hex id), declared beside the schema: the blob collector keeps
/// the blobs they name and removes the rest, and a backup copies only those. A migration that adds
/// such a column adds it here.
enum BlobReferences {
    static let columns: [(table: String, column: String)] = [
        ("images", "blob"),
        ("exports", "blob"),
        ("job_files", "blob"),
        ("model_exports", "blob"),
        ("projects", "instructions_blob"),
        ("weights", "blob"),
    ]

    /// The blobs some row names now.
    static func referenced(on db: any Connection) throws -> Set<BlobID> {
        let sql = columns.map { "SELECT \($0.column) AS blob FROM \($0.table) WHERE \($0.column) IS NOT NULL" }
            .joined(separator: " UNION ")
        return Set(try db.query(sql).compactMap { BlobID(hex: try $0.string("blob")) })
    }
}
