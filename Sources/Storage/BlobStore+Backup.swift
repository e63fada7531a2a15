import Foundation

extension BlobStore {
    /// Copies the store into `target` (created): the inline blobs through SQLite's backup API, the
    /// blob files as they are. Files are immutable once written and only removed after the collection's
    /// grace period, so copying them after the database was backed up gives every blob it refers to.
    public func backup(to target: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        try inline.database.backup(to: "\(target)/inline.sqlite")
        for entry in try files.contentsOfDirectory(atPath: root).sorted() {
            // The shards; not the temporary directory nor the inline database's own files.
            guard entry != "tmp", !entry.hasPrefix("inline.sqlite") else { continue }
            try files.copyItem(atPath: "\(root)/\(entry)", toPath: "\(target)/\(entry)")
        }
    }
}
