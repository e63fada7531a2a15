import CLinux
import Crypto
import Foundation
import Glibc

/// Many blobs made durable together, for bulk work such as imports. Each is written to the temp
/// directory without an fsync of its own; `commit` flushes the filesystem once (syncfs), renames
/// every file into place, and flushes once more so the renames and any new directories are durable
/// too. Before `commit` nothing is visible as a blob, and whatever a crash leaves in the temp
/// directory is removed at the next start, so a blob is still whole or absent. Thousands of files
/// cost two flushes instead of several fsyncs each.
public final class BlobBatch: @unchecked Sendable {
    // @unchecked: `pending` is only touched under `lock`.
    private let store: BlobStore
    private let lock = NSLock()
    private var pending: [(temporary: String, id: BlobID)] = []

    init(store: BlobStore) {
        self.store = store
    }

    deinit {
        for file in pending { Glibc.unlink(file.temporary) }
    }

    /// Stages `bytes`; safe from several threads at once. Content already stored is not written again.
    /// The blob's shard directory is made here rather than in `commit`: an empty directory is no blob,
    /// and making it costs the kernel as much as the file, work better spread over the callers'
    /// threads than left to the one that commits.
    public func add(_ bytes: [UInt8]) throws -> BlobID {
        let id = BlobID(digest: SHA256.hash(bytes))
        if try store.refresh(id) { return id }
        try FileSystem.makeDirectories(store.directory(for: id), durably: false)
        let temporary = store.newTemporaryPath()
        let fd = try FileSystem.open(temporary, O_WRONLY | O_CREAT | O_EXCL)
        do {
            try bytes.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: temporary) }
            try FileSystem.close(fd, path: temporary)
        } catch {
            Glibc.close(fd)
            Glibc.unlink(temporary)
            throw error
        }
        lock.withLock { pending.append((temporary, id)) }
        return id
    }

    /// Makes every staged blob durable and visible.
    public func commit() throws {
        let files = lock.withLock {
            defer { pending = [] }
            return pending
        }
        guard !files.isEmpty else { return }
        do {
            try flush()
            store.lock.lock()
            defer { store.lock.unlock() }
            for file in files {
                if try store.refreshLocked(file.id) {
                    try FileSystem.unlink(file.temporary)
                    continue
                }
                // `add` made the shard directory, and shard directories are never removed.
                try FileSystem.touch(file.temporary)
                try FileSystem.rename(file.temporary, to: store.path(for: file.id))
            }
            try flush()
        } catch {
            for file in files { Glibc.unlink(file.temporary) }
            throw error
        }
    }

    private func flush() throws {
        let fd = try FileSystem.open(store.temporaryDirectory, O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        guard quarry_syncfs(fd) == 0 else {
            throw StorageError.io(operation: "syncfs", path: store.temporaryDirectory, errno: errno)
        }
    }
}

extension BlobStore {
    /// A batch for staging many blobs and making them durable together.
    public func batch() -> BlobBatch { BlobBatch(store: self) }
}
