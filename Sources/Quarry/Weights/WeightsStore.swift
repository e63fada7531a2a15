import Storage

/// The `weights` table: each account's uploaded weights files, one name each, and the blob holding each.
enum WeightsStore {
    /// Inserts `file`, kept in `blob`; a name the account already has is `WeightsFileError.nameTaken`.
    static func insert(_ file: WeightsFile, accountID: String, blob: BlobID, on db: any Connection) throws {
        do {
            try db.run("""
                INSERT INTO weights (id, account_id, name, format, model, naming, tensors, parameters, sha256, size, blob, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [ID.make("weights"), accountID, file.name, file.format.rawValue, file.fit?.model, file.fit?.scheme.rawValue,
                      file.tensorCount, file.parameterCount, file.sha256, file.byteCount, blob.hex, file.createdAt])
        } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
            throw WeightsFileError.nameTaken(file.name)
        }
    }

    /// By name.
    static func list(accountID: String, on db: any Connection) throws -> [WeightsFile] {
        try db.query("SELECT * FROM weights WHERE account_id = ? ORDER BY name", [accountID]).map(file)
    }

    static func find(accountID: String, name: String, on db: any Connection) throws -> (file: WeightsFile, blob: BlobID)? {
        guard let row = try db.queryOne("SELECT * FROM weights WHERE account_id = ? AND name = ?", [accountID, name]) else { return nil }
        guard let blob = BlobID(hex: try row.string("blob")) else { throw WeightsFileError.unreadable("the stored file of weights '\(name)' is missing") }
        return (try file(row), blob)
    }

    /// Whether there was such a row.
    static func delete(accountID: String, name: String, on db: any Connection) throws -> Bool {
        try db.run("DELETE FROM weights WHERE account_id = ? AND name = ?", [accountID, name]) > 0
    }

    private static func file(_ row: Row) throws -> WeightsFile {
        WeightsFile(name: try row.string("name"), format: try row.choice("format"),
                    fit: WeightsFit(model: try row.optionalString("model"), naming: try row.optionalString("naming")),
                    tensorCount: try row.int("tensors"), parameterCount: try row.int("parameters"), sha256: try row.string("sha256"),
                    byteCount: try row.int("size"), source: .upload, createdAt: try row.string("created_at"))
    }
}
