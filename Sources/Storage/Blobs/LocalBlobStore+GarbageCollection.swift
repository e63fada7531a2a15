import Foundation
import Glibc

extension LocalBlobStore {
    /// Removes blobs, files and rows alike, that are not in `referenced` and were last put longer
    /// than `gracePeriod` ago, and temporary files (spooled uploads, leftovers of interrupted writes)
    /// older than it. Answers how many blobs and files it removed.
    ///
    /// The grace period is what makes it safe to run beside live traffic: a blob is put before the
    /// row that references it commits, so `referenced`, read from the database, can miss it. Choose
    /// one longer than any upload takes to spool and any put takes to be committed. A put refreshes
    /// the age of content already there under `lock`, which is this process's: several processes
    /// share a bucket (`S3BlobStore`), never this folder.
    ///
    /// Files it does not recognise as its own are left alone, and so are the shard directories,
    /// which a concurrent put may be about to use.
    public func collectGarbage(referenced read: () throws -> Set<BlobID>, gracePeriod: Duration) throws -> Int {
        let referenced = try read()
        let cutoff = FileSystem.now() - gracePeriod
        var removed = 0
        for first in try shards(in: root) {
            for second in try shards(in: "\(root)/\(first)") {
                let directory = "\(root)/\(first)/\(second)"
                for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                    let isCandidate = BlobID(hex: name).map { !referenced.contains($0) } ?? name.hasSuffix(".tmp")
                    guard isCandidate else { continue }
                    if try removeIfOlder("\(directory)/\(name)", than: cutoff) { removed += 1 }
                }
            }
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: temporaryDirectory) {
            if try removeIfOlder("\(temporaryDirectory)/\(name)", than: cutoff) { removed += 1 }
        }
        return removed + (try inline.collect(referenced: referenced, storedBefore: cutoff))
    }

    /// Shard directories are named by two lowercase hex digits; `tmp` and anything else is skipped.
    func shards(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
            name.utf8.count == 2 && name.allSatisfy { $0.isHexDigit && !$0.isUppercase }
                && (try? FileSystem.lstat("\(directory)/\(name)")).map { $0.st_mode & S_IFMT == S_IFDIR } == true
        }
    }

    /// Under the lock that `put` takes to refresh a blob, so the age checked is the age removed.
    private func removeIfOlder(_ path: String, than cutoff: Duration) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let info: stat
        do {
            info = try FileSystem.lstat(path)
        } catch StorageError.io(_, _, ENOENT) {
            return false
        }
        guard info.st_mode & S_IFMT == S_IFREG, FileSystem.duration(info.st_mtim) < cutoff else { return false }
        try FileSystem.unlink(path)
        return true
    }
}
