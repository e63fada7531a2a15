import Foundation
@testable import Storage
import Testing

/// Files; `InlineBlobTests` collects blobs kept in SQLite.
struct BlobStoreGarbageCollectionTests {
    @Test func collectsOnlyUnreferencedBlobsAndTemporaryFilesOlderThanTheGracePeriod() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let keptByReference = try store.put(Array("referenced".utf8))
            let keptByAge = try store.put(Array("young".utf8))
            let collected = try store.put(Array("old".utf8))
            let oldSpool = "\(store.temporaryDirectory)/old-upload"
            let youngSpool = "\(store.temporaryDirectory)/young-upload"
            let strayTemporary = "\((store.path(for: collected) as NSString).deletingLastPathComponent)/.leftover.tmp"
            let foreign = "\(store.root)/README"
            for path in [oldSpool, youngSpool, strayTemporary, foreign] {
                #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
            }
            for path in [store.path(for: keptByReference), store.path(for: collected), oldSpool, strayTemporary, foreign] {
                backdate(path, by: 7_200)
            }

            let removed = try store.collectGarbage(referenced: { [keptByReference] }, gracePeriod: .seconds(3_600))

            #expect(removed == 3)
            #expect(store.contains(keptByReference) && store.contains(keptByAge))
            #expect(!store.contains(collected))
            let survivors = [youngSpool, foreign].allSatisfy { FileManager.default.fileExists(atPath: $0) }
            let gone = [oldSpool, strayTemporary].allSatisfy { !FileManager.default.fileExists(atPath: $0) }
            #expect(survivors && gone)
        }
    }

    @Test func aBlobPutAgainIsYoungOnceMore() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)
            let id = try store.put(Array("again".utf8))
            backdate(store.path(for: id), by: 7_200)
            #expect(try store.put(Array("again".utf8)) == id)
            #expect(try store.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == 0)
            #expect(store.contains(id))
        }
    }
}
