import Imaging
import Storage

/// JPEG thumbnails (long side 256), one per distinct image content, made on first use or at import
/// and kept as blobs.
public struct Thumbnails: Sendable {
    let database: Database
    let blobs: BlobStore
    let limits: ImageLimits

    /// The thumbnail of an image, made now if it has none yet.
    public func thumbnail(of image: ImageRecord) throws -> BlobID {
        if let existing = try database.read({ db in
            try db.queryOne("SELECT thumbnail_blob FROM thumbnails WHERE image_blob = ?", [image.blob.hex])
        }), let blob = BlobID(hex: try existing.string("thumbnail_blob")), blobs.contains(blob) {
            return blob
        }
        let blob = try make(from: try blobs.read(image.blob))
        try database.write { db in try Self.record(image: image.blob, thumbnail: blob, on: db) }
        return blob
    }

    /// Makes and stores a thumbnail; the caller records it (with `record`) in its own transaction.
    func make(from bytes: [UInt8]) throws -> BlobID {
        try blobs.put(try Thumbnail.make(from: bytes, limits: limits))
    }

    static func record(image: BlobID, thumbnail: BlobID, on db: Connection) throws {
        try db.run("INSERT OR REPLACE INTO thumbnails (image_blob, thumbnail_blob, created_at) VALUES (?, ?, ?)",
                   [image.hex, thumbnail.hex, Timestamp.now()])
    }
}
