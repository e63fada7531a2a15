import Imaging
import Storage

/// JPEG thumbnails (long side 256), one per distinct image content, made at import or on first
/// use and kept in the database.
public struct Thumbnails: Sendable {
    let database: Database
    let blobs: BlobStore
    let limits: ImageLimits

    /// The thumbnail of an image, made now if it has none yet.
    public func thumbnail(of image: ImageRecord) throws -> [UInt8] {
        if let existing = try database.read({ db in
            try db.queryOne("SELECT data FROM thumbnails WHERE image_blob = ?", [image.blob.hex])
        }) {
            return try existing.blob("data")
        }
        let data = try Thumbnail.make(from: try blobs.read(image.blob), limits: limits)
        try database.write { db in try Self.record(image: image.blob, data: data, on: db) }
        return data
    }

    static func record(image: BlobID, data: [UInt8], on db: Connection) throws {
        // The standard upsert rather than SQLite's INSERT OR REPLACE, so the statement also reads in PostgreSQL.
        try db.run("""
            INSERT INTO thumbnails (image_blob, data, created_at) VALUES (?, ?, ?)
            ON CONFLICT (image_blob) DO UPDATE SET data = excluded.data, created_at = excluded.created_at
            """, [image.hex, data, Timestamp.now()])
    }
}
