import Foundation

extension S3BlobStore {
    /// Lists the bucket's blobs, then a chunk at a time marks those unreferenced and unheld, reads the
    /// references again (now that the marks stand, see `BlobHolds`) and deletes what is still
    /// unreferenced. The first reading only spares marking every referenced blob on each pass; the
    /// chunks keep each mark far shorter than `BlobHolds` waits before it takes a mark for abandoned.
    /// Keys under the prefix that are not blob ids are not ours and are left alone. Spool files older
    /// than the grace period go too.
    public func collectGarbage(referenced read: () throws -> Set<BlobID>, gracePeriod: Duration) throws -> Int {
        let unreferenced = Set(try storedIDs()).subtracting(try read()).sorted { $0.hex < $1.hex }
        var removed = try removeOldFiles(in: temporaryDirectory, olderThan: gracePeriod)
        for start in stride(from: 0, to: unreferenced.count, by: Self.deletionChunk) {
            let marked = try holds.markForDeletion(Array(unreferenced[start..<min(start + Self.deletionChunk, unreferenced.count)]))
            guard !marked.isEmpty else { continue }
            do {
                let referenced = try read()
                for id in marked where !referenced.contains(id) {
                    try client.delete(key: key(id))
                    cache.remove(id)
                    removed += 1
                }
            } catch {
                try? holds.unmark(marked)
                throw error
            }
            try holds.unmark(marked)
        }
        return removed
    }

    /// Blobs marked and deleted at a time: a few seconds of deletes.
    static let deletionChunk = 200

    /// Writes the blobs into `target` in `LocalBlobStore`'s layout (`ab/cd/abcd…`), so a backup of a
    /// deployment on S3 restores as one on local files; with `keeping`, only those blobs, else every
    /// blob in the bucket. A blob collected meanwhile was unreferenced, and is skipped.
    public func backup(to target: String, keeping kept: Set<BlobID>?) throws {
        let ids = try kept.map(Array.init) ?? storedIDs()
        for id in ids.sorted(by: { $0.hex < $1.hex }) {
            let directory = "\(target)/\(id.hex.prefix(2))/\(id.hex.dropFirst(2).prefix(2))"
            try FileSystem.makeDirectories(directory)
            let source: BlobContents
            do {
                source = try contents(of: id)
            } catch StorageError.blobNotFound {
                continue
            }
            guard case .file(let path) = source else { continue }
            try FileManager.default.copyItem(atPath: path, toPath: "\(directory)/\(id.hex)")
        }
    }

    /// Every blob in the bucket, a listing page (1,000 keys) at a time.
    private func storedIDs() throws -> [BlobID] {
        var ids: [BlobID] = []
        var continuation: String?
        repeat {
            let page = try client.list(prefix: prefix, continuation: continuation)
            ids += page.objects.compactMap { BlobID(hex: String($0.key.dropFirst(prefix.count))) }
            continuation = page.continuation
        } while continuation != nil
        return ids
    }

    private func removeOldFiles(in directory: String, olderThan age: Duration) throws -> Int {
        let cutoff = FileSystem.now() - age
        var removed = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = "\(directory)/\(name)"
            guard let info = try? FileSystem.lstat(path), FileSystem.duration(info.st_mtim) < cutoff,
                  (try? FileSystem.unlink(path)) != nil else { continue }
            removed += 1
        }
        return removed
    }
}
