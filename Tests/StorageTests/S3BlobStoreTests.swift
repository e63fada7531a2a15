import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
@testable import Storage
import Synchronization
import Testing

/// Blobs in a real bucket (SeaweedFS, `SeaweedFS.swift`). Each test is a deployment of its own: a key
/// prefix, a database for the holds, and one local folder per store, so two stores in a test are two
/// processes sharing a bucket, and tests run at once on the one SeaweedFS.
@Suite(.seaweedFS)
struct S3BlobStoreTests {
    let server: SeaweedFS
    let client: S3Client
    let prefix = "blobs-\(UUID().uuidString)/"

    init() throws {
        server = try SeaweedFS.shared()
        client = try server.client()
    }

    struct Deployment {
        let directory: String
        let database: any Database
        let client: S3Client
        let prefix: String

        /// A store as another process would make it: its own spool and copies, the shared bucket and holds.
        func store(holdDuration: Duration = .seconds(3_600), client: S3Client? = nil) throws -> S3BlobStore {
            try S3BlobStore(client: client ?? self.client, prefix: prefix, localRoot: "\(directory)/\(UUID().uuidString)",
                            holds: DatabaseBlobHolds(database: database), holdDuration: holdDuration, cacheLimit: 1 << 30)
        }

        /// Returns once every short hold so far has ended. Holds are kept to the millisecond, so one of
        /// `.zero` lasts until its millisecond is over: at most a millisecond's spin, not a guessed delay.
        func outlastShortHolds() throws {
            let soon = Timestamp.format(Date().addingTimeInterval(1))
            let last = try database.read {
                try $0.queryOne("SELECT max(held_until) AS t FROM blob_holds WHERE held_until < ?", [soon])?.optionalString("t")
            }
            guard let last else { return }
            while Timestamp.now() <= last { sched_yield() }
        }

        func holdRows() throws -> Int {
            try database.read { try $0.queryOne("SELECT count(*) AS n FROM blob_holds")?.int("n") ?? 0 }
        }
    }

    private func withDeployment<T>(_ body: (Deployment) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: "\(directory)/quarry.db",
                                        migrations: [Migration(version: 1, name: "blob holds", sql: DatabaseBlobHolds.schema)])
            defer { database.close() }
            return try body(Deployment(directory: directory, database: database, client: client, prefix: prefix))
        }
    }

    private func id(of bytes: [UInt8]) -> BlobID { BlobID(digest: SHA256.hash(bytes)) }

    private func contents(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    private func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// Every key under the test's prefix, in pages short enough that a batch's keys take several.
    private func keys() throws -> [String] {
        var keys: [String] = []
        var continuation: String?
        repeat {
            let page = try client.list(prefix: prefix, continuation: continuation, maxKeys: 100)
            keys += page.objects.map(\.key)
            continuation = page.continuation
        } while continuation != nil
        return keys
    }

    @Test func putIsAnObjectUnderPrefixAndHash() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let bytes = SecureRandom.bytes(5_000)
            let id = try store.put(bytes)
            #expect(id.hex == Hex.encode(SHA256.hash(bytes)))
            #expect(try client.get(key: prefix + id.hex) == bytes)
            #expect(try store.read(id) == bytes)
            #expect(store.contains(id))
            // Equal bytes, one object.
            #expect(try store.put(bytes) == id)
            #expect(try keys() == [prefix + id.hex])
            // Held for the grace period, so no collection takes it before its row commits.
            #expect(try deployment.holdRows() == 1)
        }
    }

    @Test func theEmptyBlobIsABlobToo() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let id = try store.put([])
            #expect(try client.head(key: store.key(id)) == 0)
            try client.delete(key: store.key(id))
            // Adopted, it goes up as a file of no bytes.
            let path = "\(store.temporaryDirectory)/empty"
            try write([], to: path)
            #expect(try store.adopt(temporaryFile: path) == id)
            #expect(try client.head(key: store.key(id)) == 0)
            #expect(try deployment.store().read(id) == [])
        }
    }

    @Test func adoptUploadsAndKeepsTheFileAsTheCopy() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let bytes = SecureRandom.bytes(40_000)
            let path = "\(store.temporaryDirectory)/upload"
            try write(bytes, to: path)
            let id = try store.adopt(temporaryFile: path)

            #expect(id == self.id(of: bytes))
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(try client.get(key: store.key(id)) == bytes)
            #expect(try contents(try #require(store.cache.lookup(id))) == bytes)

            // Bytes already stored answer the same id, and the file still goes.
            try write(bytes, to: path)
            #expect(try store.adopt(temporaryFile: path) == id)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func adoptRefusesFilesOutsideTheSpool() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let bytes = Array("not ours".utf8)
            let outside = "\(deployment.directory)/outside"
            try write(bytes, to: outside)
            // Named from inside the spool, it is still outside.
            let climbing = "\(store.temporaryDirectory)/../outside"
            for path in [outside, climbing] {
                #expect(throws: StorageError.notInTemporaryDirectory(path: path)) { try store.adopt(temporaryFile: path) }
            }
            #expect(try contents(outside) == bytes)
            #expect(try keys().isEmpty)
            #expect(try deployment.holdRows() == 0)
        }
    }

    @Test func fileLargerThanAPartGoesUpInPartsAndReadsBack() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let bytes = SecureRandom.bytes(S3BlobStore.partSize + (1 << 20) + 123)
            let path = "\(store.temporaryDirectory)/large"
            try write(bytes, to: path)
            let id = try store.adopt(temporaryFile: path)

            let object = try #require(client.list(prefix: prefix).objects.first)
            #expect(object.key == store.key(id) && object.size == bytes.count)
            // S3's ETag for a multipart object is the hash of its parts' hashes and their count.
            #expect(object.etag.hasSuffix("-2"))
            // Read back by another process, which has no copy.
            #expect(try deployment.store().read(id) == bytes)
        }
    }

    @Test func anotherProcessDownloadsAndChecksTheBlob() throws {
        try withDeployment { deployment in
            let bytes = SecureRandom.bytes(3_000)
            let id = try deployment.store().put(bytes)
            let other = try deployment.store()
            #expect(other.cache.lookup(id) == nil)

            #expect(try other.contents(of: id) == .file(path: other.cache.path(for: id)))
            #expect(try contents(other.cache.path(for: id)) == bytes)
            #expect(other.cache.bytesHeld == bytes.count)
            #expect(try FileManager.default.contentsOfDirectory(atPath: other.cache.incoming).isEmpty)
        }
    }

    @Test func bytesReplacedInTheBucketAreCorruptAndNotKept() throws {
        try withDeployment { deployment in
            let bytes = Array("the real bytes".utf8)
            let id = try deployment.store().put(bytes)
            let forged = Array("other bytes".utf8)
            try client.put(forged, key: prefix + id.hex)

            let other = try deployment.store()
            #expect(throws: StorageError.blobCorrupt(id, hashedTo: Hex.encode(SHA256.hash(forged)))) { try other.read(id) }
            #expect(other.cache.lookup(id) == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: other.cache.incoming).isEmpty)
        }
    }

    @Test func aBlobNeverStoredIsNotFound() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let missing = id(of: Array("never stored".utf8))
            #expect(throws: StorageError.blobNotFound(missing)) { try store.contents(of: missing) }
            #expect(!store.contains(missing))
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.cache.incoming).isEmpty)
        }
    }

    @Test func containsAsksTheBucket() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let id = try store.put(Array("asked".utf8))
            let other = try deployment.store()
            #expect(store.contains(id) && other.contains(id))
            // A store that cannot be asked answers no, so the caller stores the blob again.
            let refused = try deployment.store(client: server.client(secret: "wrong"))
            #expect(!refused.contains(id))
            // A local copy is no answer: the bucket is.
            try client.delete(key: store.key(id))
            #expect(!store.contains(id))
        }
    }

    @Test func aBatchOfManyChunksIsStoredByCommit() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let batch = store.batch()
            let count = 2 * S3BlobBatch.chunkCount + 7
            let ids = Mutex<[BlobID: [UInt8]]>([:])
            // From several threads, as an import's decoders add.
            DispatchQueue.concurrentPerform(iterations: 4) { lane in
                for index in stride(from: lane, to: count, by: 4) {
                    let bytes = Array("blob \(index)".utf8)
                    // One that fails is missing from the count below.
                    guard let id = try? batch.add(bytes) else { continue }
                    ids.withLock { $0[id] = bytes }
                }
            }
            try batch.commit()

            let added = ids.withLock { $0 }
            #expect(added.count == count)
            #expect(try Set(keys()) == Set(added.keys.map { prefix + $0.hex }))
            for (id, bytes) in added.prefix(5) { #expect(try client.get(key: store.key(id)) == bytes) }
            #expect(try deployment.holdRows() == count)
        }
    }

    @Test func aRefusedBatchThrowsFromCommit() throws {
        try withDeployment { deployment in
            let store = try deployment.store(client: server.client(secret: "not-the-secret"))
            let batch = store.batch()
            for index in 0..<10 { _ = try batch.add(Array("refused \(index)".utf8)) }
            let error = #expect(throws: S3Error.self) { try batch.commit() }
            #expect(error?.code == "SignatureDoesNotMatch")
            #expect((#expect(throws: S3Error.self) { try store.put(Array("refused too".utf8)) })?.code == "SignatureDoesNotMatch")
            #expect((#expect(throws: S3Error.self) { try store.verifyAccess() })?.code == "SignatureDoesNotMatch")
            #expect(try keys().isEmpty)
        }
    }

    @Test func collectionDeletesWhatNoRowOrHoldKeeps() throws {
        try withDeployment { deployment in
            let store = try deployment.store(holdDuration: .zero)
            let referenced = try store.put(Array("referenced".utf8))
            let unreferenced = try store.put(Array("unreferenced".utf8))
            // Keys under the prefix that are not blob ids belong to someone else.
            let foreign = [prefix + "README", prefix + "sub/" + unreferenced.hex, prefix + unreferenced.hex.uppercased()]
            for key in foreign { try client.put([1], key: key) }
            try deployment.outlastShortHolds()

            #expect(try store.collectGarbage(referenced: { [referenced] }, gracePeriod: .seconds(3_600)) == 1)
            #expect(try Set(keys()) == Set(foreign + [store.key(referenced)]))
            #expect(store.cache.lookup(unreferenced) == nil && store.cache.lookup(referenced) != nil)
            #expect(throws: StorageError.blobNotFound(unreferenced)) { try store.read(unreferenced) }
            // Marks ended, and holds long over forgotten.
            #expect(try deployment.holdRows() == 0)
        }
    }

    @Test func aHoldInAnotherProcessKeepsItsBlob() throws {
        try withDeployment { deployment in
            let putter = try deployment.store(holdDuration: .seconds(3_600))
            let collector = try deployment.store(holdDuration: .zero)
            let bytes = Array("put, its row not yet committed".utf8)
            let held = try putter.put(bytes)
            // The collector puts the same bytes with its shorter grace period: the longer hold stands.
            #expect(try collector.put(bytes) == held)
            let loose = try collector.put(Array("put and never referred to".utf8))
            try deployment.outlastShortHolds()

            #expect(try collector.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == 1)
            #expect(collector.contains(held) && !collector.contains(loose))
            #expect(try putter.read(held) == bytes)
        }
    }

    @Test func referencesAreReadAgainAfterMarking() throws {
        try withDeployment { deployment in
            let store = try deployment.store(holdDuration: .zero)
            let id = try store.put(Array("its row commits during the collection".utf8))
            try deployment.outlastShortHolds()
            let calls = Mutex(0)
            let removed = try store.collectGarbage(referenced: {
                calls.withLock { $0 += 1; return $0 == 1 ? [] : [id] }
            }, gracePeriod: .seconds(3_600))
            #expect(removed == 0 && calls.withLock { $0 } == 2)
            #expect(store.contains(id))
            #expect(try deployment.holdRows() == 0)
        }
    }

    @Test func aFailedReadingEndsTheMarks() throws {
        struct Unreadable: Error {}
        try withDeployment { deployment in
            let store = try deployment.store(holdDuration: .zero)
            let id = try store.put(Array("marked when the database fails".utf8))
            try deployment.outlastShortHolds()
            let calls = Mutex(0)
            #expect(throws: Unreadable.self) {
                try store.collectGarbage(referenced: {
                    guard calls.withLock({ $0 += 1; return $0 }) == 1 else { throw Unreadable() }
                    return []
                }, gracePeriod: .seconds(3_600))
            }
            #expect(store.contains(id))
            // No mark left for a put to wait on until it is taken for abandoned.
            #expect(try deployment.holdRows() == 0)
            #expect(try store.put(Array("marked when the database fails".utf8)) == id)
        }
    }

    @Test func collectionRemovesOldSpoolFilesOnly() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let (old, young) = ("\(store.temporaryDirectory)/abandoned-upload", "\(store.temporaryDirectory)/upload-in-progress")
            for path in [old, young] { try write([1, 2, 3], to: path) }
            backdate(old, by: 7_200)
            #expect(try store.collectGarbage(referenced: { [] }, gracePeriod: .seconds(3_600)) == 1)
            #expect(!FileManager.default.fileExists(atPath: old) && FileManager.default.fileExists(atPath: young))
        }
    }

    @Test func backupWritesTheLocalStoresLayout() throws {
        try withDeployment { deployment in
            let store = try deployment.store()
            let blobs = try (0..<3).map { index in
                let bytes = SecureRandom.bytes(100 + index)
                return (id: try store.put(bytes), bytes: bytes)
            }
            func path(_ id: BlobID) -> String { "\(id.hex.prefix(2))/\(id.hex.dropFirst(2).prefix(2))/\(id.hex)" }

            // From another process, which has no copies.
            let everything = "\(deployment.directory)/backup-all"
            try deployment.store().backup(to: everything, keeping: nil)
            #expect(filesBelow(everything) == blobs.map { path($0.id) }.sorted())
            for blob in blobs { #expect(try contents("\(everything)/\(path(blob.id))") == blob.bytes) }

            // A kept blob that was collected meanwhile is skipped.
            let some = "\(deployment.directory)/backup-some"
            try store.backup(to: some, keeping: [blobs[1].id, id(of: Array("collected".utf8))])
            #expect(filesBelow(some) == [path(blobs[1].id)])
        }
    }

    @Test func directURLNeedsNoCredentials() async throws {
        let bytes = SecureRandom.bytes(2_000)
        let disposition = "attachment; filename=\"cat 1.png\""
        // The deployment's local folder goes with it, the object stays: a presigned URL needs only the object.
        let url = try withDeployment { deployment in
            let store = try deployment.store()
            return store.directURL(for: try store.put(bytes), contentType: "image/png", contentDisposition: disposition,
                                   expires: .seconds(300))
        }
        let (body, response) = try await S3ClientTests.fetch(try #require(url))
        #expect(response.statusCode == 200)
        #expect([UInt8](body) == bytes)
        // SeaweedFS 4.48 answers both overrides, as S3 does.
        let headers = Dictionary(uniqueKeysWithValues: response.allHeaderFields.map { ("\($0.key)".lowercased(), "\($0.value)") })
        #expect(headers["content-type"] == "image/png")
        #expect(headers["content-disposition"] == disposition)
    }
}

/// Reading `QUARRY_BLOB_STORE`'s `s3://bucket/prefix`; no store needed.
struct S3BlobStoreLocationTests {
    @Test func bucketAndPrefix() throws {
        let bare = try #require(S3BlobStore.Location(url: "s3://quarry-blobs"))
        #expect(bare.bucket == "quarry-blobs" && bare.prefix == "")
        #expect(S3BlobStore.Location(url: "s3://quarry-blobs/") == bare)
        let nested = try #require(S3BlobStore.Location(url: "s3://quarry-blobs/a/b/"))
        #expect(nested.bucket == "quarry-blobs" && nested.prefix == "a/b/")
        // The prefix always ends in one slash, however it was written.
        #expect(S3BlobStore.Location(url: "s3://quarry-blobs/a//b")?.prefix == "a/b/")
    }

    @Test func otherURLsAreRefused() {
        for url in ["https://quarry-blobs/a", "S3://quarry-blobs", "quarry-blobs", "s3://", "s3:///a",
                    "s3://quarry-blobs/a/../b", "s3://quarry-blobs/./a", "s3://quarry-blobs/a/.."] {
            #expect(S3BlobStore.Location(url: url) == nil, "\(url)")
        }
    }
}
