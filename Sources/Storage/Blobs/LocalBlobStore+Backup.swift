import Foundation

extension LocalBlobStore {
    /// Copies the store into `target` (created): the inline blobs through SQLite's backup API, then the
    /// blob files of the shard directories. Files are immutable once written and only removed after the
    /// collection's grace period, so copying them after the database was backed up gives every blob it
    /// refers to. A file the live collection removes meanwhile was unreferenced, and is skipped; half-
    /// written `.tmp` files are not blobs yet.
    /// With `keeping`, only the file blobs it names are copied (those the backed-up database refers to).
    public func backup(to target: String, keeping kept: Set<BlobID>? = nil) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        try inline.database.backup(to: "\(target)/inline.sqlite")
        for first in try shards(in: root) {
            for second in try shards(in: "\(root)/\(first)") {
                let shard = "\(first)/\(second)"
                try files.createDirectory(atPath: "\(target)/\(shard)", withIntermediateDirectories: true)
                for name in try files.contentsOfDirectory(atPath: "\(root)/\(shard)") {
                    guard let blob = BlobID(hex: name), kept?.contains(blob) ?? true else { continue }
                    do {
                        try files.copyItem(atPath: "\(root)/\(shard)/\(name)", toPath: "\(target)/\(shard)/\(name)")
                    } catch CocoaError.fileReadNoSuchFile, CocoaError.fileNoSuchFile {
                        continue
                    }
                }
            }
        }
    }
}
