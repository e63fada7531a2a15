import Crypto
import Dispatch
import Foundation
@testable import Storage
import Testing

/// Batches of small blobs, written to SQLite in chunks as they come, beside large ones staged as files.
struct InlineBlobBatchTests {
    private func withStore<T>(_ body: (LocalBlobStore) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in try body(LocalBlobStore(root: "\(directory)/blobs")) }
    }

    /// Distinct content for every seed, `size` bytes long.
    private func image(_ seed: Int, size: Int = 40_000) -> [UInt8] {
        withUnsafeBytes(of: seed) { Array($0) } + (8..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
    }

    @Test func smallAndLargeBlobsAreBothReadableAfterCommit() throws {
        try withStore { store in
            let batch = store.batch()
            let small = try batch.add(image(1))
            let large = try batch.add(image(2, size: LocalBlobStore.defaultInlineLimit + 10))
            #expect(!store.contains(large))
            try batch.commit()
            #expect(try store.contents(of: small) == .bytes(image(1)))
            #expect(try store.contents(of: large) == .file(path: store.path(for: large)))
            #expect(filesBelow(store.temporaryDirectory) == [])
        }
    }

    @Test func smallBlobsAreWrittenInChunksBeforeCommitSoMemoryStaysBounded() throws {
        try withStore { store in
            let batch = LocalBlobBatch(store: store)
            let perChunk = LocalBlobBatch.inlineChunkBytes / 40_000 + 1
            let ids = try (0..<(perChunk + 3)).map { try batch.add(image($0)) }
            batch.waitForWrites()
            #expect(try inlineBlobCount(store) == perChunk)
            try batch.commit()
            #expect(try inlineBlobCount(store) == ids.count)
            #expect(try ids.enumerated().allSatisfy { try store.read($1) == image($0) })
        }
    }

    @Test func threadsCanAddSmallBlobsAtOnce() throws {
        try withStore { store in
            let batch = store.batch()
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for index in 0..<100 { _ = try? batch.add(image(thread * 1_000 + index)) }
            }
            try batch.commit()
            #expect(try inlineBlobCount(store) == 400)
        }
    }

    @Test func aBatchThatCouldNotWriteItsSmallBlobsRefusesToCommit() throws {
        try withStore { store in
            let batch = store.batch()
            _ = try batch.add(image(1))
            store.close()
            // Adds answer before their chunk is written; the failure waits for commit.
            for index in 0..<(LocalBlobBatch.inlineChunkBytes / 40_000 + 1) { _ = try? batch.add(image(index)) }
            #expect(throws: StorageError.databaseClosed) { try batch.commit() }
        }
    }

    @Test func theRowsOfAnAbandonedImportAreCollectedAfterTheGracePeriod() throws {
        try withStore { store in
            let batch = store.batch()
            let ids = try (0..<5).map { try batch.add(image($0)) }
            try batch.commit()
            // The import's own rows never committed, so nothing refers to its blobs.
            #expect(try store.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == 0)
            try backdateInlineBlobs(store, by: 7_200)
            #expect(try store.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == ids.count)
            #expect(try inlineBlobCount(store) == 0)
        }
    }
}
