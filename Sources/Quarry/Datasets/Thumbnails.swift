import Imaging
import Storage

/// JPEG thumbnails (long side 256), one per distinct image content, made at import or on first
/// use and kept in the database.
public struct Thumbnails: Sendable {
    let database: any Database
    let blobs: any BlobStore
    let limits: ImageLimits

    /// The thumbnail of an image, made now if it has none yet.
    public func thumbnail(of image: ImageRecord) throws -> [UInt8] {
        if let existing = try database.read({ db in try ThumbnailStore.find(image: image.blob, on: db) }) { return existing }
        let data = try Thumbnail.make(from: try blobs.read(image.blob), limits: limits)
        try database.write { db in try ThumbnailStore.record(image: image.blob, data: data, on: db) }
        return data
    }
}
