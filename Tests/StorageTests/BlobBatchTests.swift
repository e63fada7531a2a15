import Crypto
import Dispatch
import Foundation
@testable import Storage
import Testing

/// Batches of file blobs (an inline limit of 0); `InlineBlobBatchTests` covers small blobs.
@Suite struct BlobBatchTests {
    private func temporaryFiles(_ store: LocalBlobStore) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory)) ?? []
    }

    @Test func stagedBlobsAppearOnlyAtCommit() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let batch = store.batch()
            let first = try batch.add(Array("first".utf8))
            let second = try batch.add(Array("second".utf8))
            #expect(!store.contains(first) && !store.contains(second))
            #expect(temporaryFiles(store).count == 2)
            try batch.commit()
            #expect(try store.read(first) == Array("first".utf8))
            #expect(try store.read(second) == Array("second".utf8))
            #expect(temporaryFiles(store).isEmpty)
        }
    }

    @Test func stagingMakesTheShardDirectorySoCommitOnlyRenames() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let batch = store.batch()
            let id = try batch.add(Array("sharded".utf8))
            var info = stat()
            #expect(lstat(store.directory(for: id), &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
            #expect(!store.contains(id))
            try batch.commit()
            #expect(store.contains(id))
        }
    }

    @Test func equalContentIsStoredOnceAndExistingBlobsAreNotRewritten() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let existing = try store.put(Array("kept".utf8))
            let batch = store.batch()
            #expect(try batch.add(Array("kept".utf8)) == existing)
            let twice = try batch.add(Array("twice".utf8))
            #expect(try batch.add(Array("twice".utf8)) == twice)
            try batch.commit()
            #expect(try store.read(twice) == Array("twice".utf8))
            #expect(temporaryFiles(store).isEmpty)
        }
    }

    @Test func anAbandonedBatchLeavesNothing() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            var id: BlobID?
            do {
                let batch = store.batch()
                id = try batch.add(Array("never committed".utf8))
            }
            #expect(temporaryFiles(store).isEmpty)
            #expect(!store.contains(try #require(id)))
        }
    }

    @Test func threadsCanStageAtOnce() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let batch = store.batch()
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for index in 0..<50 { _ = try? batch.add(Array("\(thread)-\(index)".utf8)) }
            }
            try batch.commit()
            for thread in 0..<8 {
                for index in 0..<50 {
                    #expect(store.contains(BlobID(digest: SHA256Digest.of("\(thread)-\(index)"))))
                }
            }
        }
    }
}

private enum SHA256Digest {
    static func of(_ text: String) -> [UInt8] { Crypto.SHA256.hash(Array(text.utf8)) }
}
