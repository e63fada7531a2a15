import Storage

/// The `thumbnails` table: one JPEG per distinct image content, keyed by the image's blob.
enum ThumbnailStore {
    static func find(image: BlobID, on db: any Connection) throws -> [UInt8]? {
        try db.queryOne("SELECT data FROM thumbnails WHERE image_blob = ?", [image.hex]).map { try $0.blob("data") }
    }

    static func record(image: BlobID, data: [UInt8], on db: any Connection) throws {
        // The standard upsert rather than SQLite's INSERT OR REPLACE, so the statement also reads in PostgreSQL.
        try db.run("""
            INSERT INTO thumbnails (image_blob, data, created_at) VALUES (?, ?, ?)
            ON CONFLICT (image_blob) DO UPDATE SET data = excluded.data, created_at = excluded.created_at
            """, [image.hex, data, Timestamp.now()])
    }

    /// Removes the thumbnails whose image is gone.
    static func removeOrphans(on db: any Connection) throws {
        try db.run("DELETE FROM thumbnails WHERE image_blob NOT IN (SELECT blob FROM images)")
    }
}
