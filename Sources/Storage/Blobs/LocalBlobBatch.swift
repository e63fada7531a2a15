import CLinux
import Crypto
import Foundation
import Glibc

/// Many blobs made durable together, for bulk work such as imports.
///
/// Small blobs (`LocalBlobStore.inlineLimit`) are written to SQLite a few megabytes per transaction as
/// they come, on a writer queue of the batch's own, so the callers' threads go on hashing and
/// decoding while a chunk waits for its fsync; a batch of any size holds only about
/// `inlineChunksInFlight` chunks of them in memory. Those rows are durable once written but
/// referenced by nothing until the caller's rows commit; should the caller fail, the garbage
/// collector removes them after its grace period, as it does any blob put for a row that never came.
///
/// Large blobs are written to the temp directory without an fsync of their own; `commit` flushes the
/// filesystem once (syncfs), renames every file into place, and flushes once more so the renames
/// and any new directories are durable too. Before `commit` nothing is visible as a file blob, and
/// whatever a crash leaves in the temp directory is removed at the next start, so a blob is still
/// whole or absent. Thousands of files cost two flushes instead of several fsyncs each.
public final class LocalBlobBatch: BlobBatch, @unchecked Sendable {
    // @unchecked: `pending`, `small`, `smallBytes` and `failure` are only touched under `lock`.
    private let store: LocalBlobStore
    private let lock = NSLock()
    private var pending: [(temporary: String, id: BlobID)] = []
    private var small: [(id: BlobID, bytes: [UInt8])] = []
    private var smallBytes = 0
    /// The first failed write of small blobs: the ids `add` answered for them must not reach a row.
    private var failure: (any Error)?
    private let writes = WriteQueue(label: "quarry.blob-batch", limit: LocalBlobBatch.inlineChunksInFlight)

    /// Big enough that an import of 30 KB images commits every ~280 of them (one fsync each), small
    /// enough that the bytes waiting, plus one chunk being written, stay a few megabytes.
    static let inlineChunkBytes = 8 << 20
    /// Chunks handed to the writer and not yet written; a caller that would exceed it waits.
    static let inlineChunksInFlight = 2

    init(store: LocalBlobStore) {
        self.store = store
    }

    deinit {
        for file in pending { Glibc.unlink(file.temporary) }
    }

    /// Stages `bytes`; safe from several threads at once. Content already stored as a file is not
    /// written again. A large blob's shard directory is made here rather than in `commit`: an empty
    /// directory is no blob, and making it costs the kernel as much as the file, work better spread
    /// over the callers' threads than left to the one that commits.
    public func add(_ bytes: [UInt8]) throws -> BlobID {
        let id = BlobID(digest: SHA256.hash(bytes))
        if try store.refresh(id) { return id }
        if store.isInline(bytes.count) {
            addSmall(id, bytes)
            return id
        }
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

    /// Makes every staged blob durable and visible; call it once every `add` has returned. Throws when
    /// any write of small blobs failed, then or earlier, so that no row is committed for a blob that
    /// is not there.
    public func commit() throws {
        waitForWrites()
        let (files, chunk, failed) = lock.withLock {
            defer {
                pending = []
                small = []
                smallBytes = 0
            }
            return (pending, small, failure)
        }
        do {
            if let failed { throw failed }
            try store.inline.put(chunk)
            guard !files.isEmpty else { return }
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

    /// Returns once every chunk handed to the writer is written or has failed.
    func waitForWrites() {
        writes.wait()
    }

    /// Queues a small blob and hands the queue to the writer once it is a chunk. A failed write is
    /// kept for `commit` to throw.
    private func addSmall(_ id: BlobID, _ bytes: [UInt8]) {
        let full = lock.withLock { () -> [(id: BlobID, bytes: [UInt8])]? in
            small.append((id, bytes))
            smallBytes += bytes.count
            guard smallBytes >= Self.inlineChunkBytes else { return nil }
            defer {
                small = []
                smallBytes = 0
            }
            return small
        }
        guard let full else { return }
        let (store, lock) = (store, lock)
        writes.submit { [weak self] in
            do {
                try store.inline.put(full)
            } catch {
                lock.withLock { self?.failure = self?.failure ?? error }
            }
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

extension LocalBlobStore {
    /// A batch for staging many blobs and making them durable together.
    public func batch() -> any BlobBatch { LocalBlobBatch(store: self) }
}
