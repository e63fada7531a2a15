import Foundation
@testable import Storage
import Testing

/// Small blobs kept in SQLite beside large ones kept as files, with the default inline limit.
struct InlineBlobTests {
    private let small = [UInt8]((0..<30_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    private let large = [UInt8]((0..<(LocalBlobStore.defaultInlineLimit + 1)).map { UInt8(truncatingIfNeeded: $0 &* 13) })

    private func withStore<T>(_ body: (LocalBlobStore) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in try body(LocalBlobStore(root: "\(directory)/blobs")) }
    }

    @Test func smallBlobsLiveInSQLiteAndLargeOnesInFiles() throws {
        try withStore { store in
            let smallID = try store.put(small)
            let largeID = try store.put(large)
            #expect(try store.contents(of: smallID) == .bytes(small))
            #expect(try store.contents(of: largeID) == .file(path: store.path(for: largeID)))
            #expect(!FileManager.default.fileExists(atPath: store.path(for: smallID)))
            #expect(try store.read(smallID) == small && store.read(largeID) == large)
            #expect(try store.size(of: smallID) == small.count && store.size(of: largeID) == large.count)
            #expect(store.contains(smallID) && store.contains(largeID))
            #expect(try inlineBlobCount(store) == 1)
        }
    }

    @Test func theLimitItselfIsInlineAndOneByteMoreIsAFile() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 4)
            let atLimit = try store.put([1, 2, 3, 4])
            let over = try store.put([1, 2, 3, 4, 5])
            #expect(try store.contents(of: atLimit) == .bytes([1, 2, 3, 4]))
            #expect(try store.contents(of: over) == .file(path: store.path(for: over)))
        }
    }

    @Test func emptyContentIsAnEmptyBlobNotAMissingOne() throws {
        try withStore { store in
            let id = try store.put([])
            #expect(try store.read(id) == [])
            #expect(try store.size(of: id) == 0)
        }
    }

    @Test func spooledAndCopiedSmallFilesGoInlineAndTheSpoolIsConsumed() throws {
        try withStore { store in
            let spooled = "\(store.temporaryDirectory)/upload"
            #expect(FileManager.default.createFile(atPath: spooled, contents: Data(small)))
            let adopted = try store.adopt(temporaryFile: spooled)
            #expect(!FileManager.default.fileExists(atPath: spooled))
            #expect(try store.contents(of: adopted) == .bytes(small))

            let source = "\(store.root)/../source.bin"
            #expect(FileManager.default.createFile(atPath: source, contents: Data(large)))
            let copied = try store.put(contentsOf: source)
            #expect(try store.contents(of: copied) == .file(path: store.path(for: copied)))
            #expect(FileManager.default.createFile(atPath: spooled, contents: Data(large)))
            #expect(try store.adopt(temporaryFile: spooled) == copied)
            #expect(filesBelow(store.temporaryDirectory) == [])
        }
    }

    @Test func equalSmallContentIsStoredOnceHoweverItArrives() throws {
        try withStore { store in
            let id = try store.put(small)
            let batch = store.batch()
            #expect(try batch.add(small) == id)
            try batch.commit()
            let spooled = "\(store.temporaryDirectory)/upload"
            #expect(FileManager.default.createFile(atPath: spooled, contents: Data(small)))
            #expect(try store.adopt(temporaryFile: spooled) == id)
            #expect(try inlineBlobCount(store) == 1)
        }
    }

    @Test func aSmallBlobStoredAsAFileBeforeStaysTheOnlyCopy() throws {
        try withTemporaryDirectory { directory in
            let old = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let id = try old.put(small)
            old.close()
            let store = try LocalBlobStore(root: "\(directory)/blobs")
            backdate(store.path(for: id), by: 7_200)
            #expect(try store.put(small) == id)
            let batch = store.batch()
            #expect(try batch.add(small) == id)
            try batch.commit()
            #expect(try inlineBlobCount(store) == 0)
            #expect(try store.contents(of: id) == .file(path: store.path(for: id)))
            #expect(try store.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == 0)
        }
    }

    @Test func unreferencedSmallBlobsAreCollectedAfterTheGracePeriodAndNotBefore() throws {
        try withStore { store in
            let referenced = try store.put(Array("referenced".utf8))
            let unreferenced = try store.put(Array("unreferenced".utf8))
            #expect(try store.collectGarbage(referenced: { [referenced] }, gracePeriod: .seconds(3_600)) == 0)
            #expect(store.contains(unreferenced))

            try backdateInlineBlobs(store, by: 7_200)
            #expect(try store.collectGarbage(referenced: { [referenced] }, gracePeriod: .seconds(3_600)) == 1)
            #expect(store.contains(referenced) && !store.contains(unreferenced))
        }
    }

    @Test func puttingASmallBlobAgainMakesItYoungOnceMore() throws {
        try withStore { store in
            let id = try store.put(small)
            try backdateInlineBlobs(store, by: 7_200)
            #expect(try store.put(small) == id)
            #expect(try store.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == 0)
            #expect(try store.read(id) == small)
        }
    }

    @Test func removingASmallBlobRemovesItsRow() throws {
        try withStore { store in
            let id = try store.put(small)
            try store.remove(id)
            try store.remove(id)
            #expect(throws: StorageError.blobNotFound(id)) { try store.contents(of: id) }
            #expect(throws: StorageError.blobNotFound(id)) { try store.size(of: id) }
        }
    }

    @Test func smallBlobsSurviveReopeningTheStore() throws {
        try withTemporaryDirectory { directory in
            let first = try LocalBlobStore(root: "\(directory)/blobs")
            let id = try first.put(small)
            first.close()
            #expect(try LocalBlobStore(root: "\(directory)/blobs").read(id) == small)
        }
    }
}
