import Crypto
import Dispatch
import Foundation

/// Many blobs stored in a bucket together, for imports. Blobs are gathered into chunks as they come;
/// each chunk is held in one transaction of the shared database and uploaded
/// `S3BlobBatch.uploadsAtOnce` at a time on a writer queue of the batch's own, so the callers' threads
/// go on decoding while a chunk is on its way, and only about `chunksInFlight` chunks are in memory.
/// Every object is in the bucket once `commit` returns; one stored before a failed `commit` is held
/// for the grace period, as any put whose row never came, and then collected.
final class S3BlobBatch: BlobBatch, @unchecked Sendable {
    // @unchecked: `staged`, `stagedBytes` and `failure` are only touched under `lock`.
    private let store: S3BlobStore
    private let lock = NSLock()
    private var staged: [(id: BlobID, bytes: [UInt8])] = []
    private var stagedBytes = 0
    /// The first failed chunk: the ids `add` answered for it must not reach a row.
    private var failure: (any Error)?
    private let writes = WriteQueue(label: "quarry.s3-blob-batch", limit: S3BlobBatch.chunksInFlight)

    static let chunkBytes = 8 << 20
    static let chunkCount = 128
    static let chunksInFlight = 2
    /// Requests open at once for a chunk: each waits mostly on the store's round trip.
    static let uploadsAtOnce = 8

    init(store: S3BlobStore) {
        self.store = store
    }

    func add(_ bytes: [UInt8]) throws -> BlobID {
        let id = BlobID(digest: SHA256.hash(bytes))
        let full = lock.withLock { () -> [(id: BlobID, bytes: [UInt8])]? in
            staged.append((id, bytes))
            stagedBytes += bytes.count
            guard stagedBytes >= Self.chunkBytes || staged.count >= Self.chunkCount else { return nil }
            return takeStaged()
        }
        if let full { submit(full) }
        return id
    }

    func commit() throws {
        let rest = lock.withLock { takeStaged() }
        if !rest.isEmpty { submit(rest) }
        writes.wait()
        if let failed = lock.withLock({ failure }) { throw failed }
    }

    /// Under `lock`.
    private func takeStaged() -> [(id: BlobID, bytes: [UInt8])] {
        defer {
            staged = []
            stagedBytes = 0
        }
        return staged
    }

    private func record(_ error: any Error) {
        lock.withLock { failure = failure ?? error }
    }

    private func submit(_ chunk: [(id: BlobID, bytes: [UInt8])]) {
        writes.submit { [self] in
            do {
                try store.holds.hold(chunk.map(\.id), for: store.holdDuration)
            } catch {
                record(error)
                return
            }
            DispatchQueue.concurrentPerform(iterations: min(Self.uploadsAtOnce, chunk.count)) { lane in
                do {
                    for index in stride(from: lane, to: chunk.count, by: Self.uploadsAtOnce) {
                        try store.store(chunk[index].bytes, as: chunk[index].id)
                    }
                } catch {
                    record(error)
                }
            }
        }
    }
}
