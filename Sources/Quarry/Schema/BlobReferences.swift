import Storage

/// Every column that names a blob (its hex id), declared beside the schema: the blob collector keeps
/// the blobs they name and removes the rest, and a backup copies only those. A migration that adds
/// such a column adds it here.
enum BlobReferences {
    static let columns: [(table: String, column: String, onlyWhere: String?)] = [
        ("images", "blob", nil),
        ("exports", "blob", nil),
        ("job_files", "blob", nil),
        ("model_exports", "blob", nil),
        ("projects", "instructions_blob", nil),
        ("weights", "blob", nil),
        ("runs", "last_checkpoint_blob", nil),
        ("runs", "best_checkpoint_blob", nil),
        ("runs", "data_blob", nil),
        // An import's archive only until it ends: another process may take the import over till then.
        ("import_jobs", "archive_blob", "status IN ('pending', 'running')"),
    ]

    /// The blobs some row names now.
    static func referenced(on db: any Connection) throws -> Set<BlobID> {
        let sql = columns.map { "SELECT \($0.column) AS blob FROM \($0.table) WHERE \($0.column) IS NOT NULL\($0.onlyWhere.map { " AND \($0)" } ?? "")" }
            .joined(separator: " UNION ")
        return Set(try db.query(sql).compactMap { BlobID(hex: try $0.string("blob")) })
    }
}
