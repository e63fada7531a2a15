import Crypto
import Foundation
import Glibc
@testable import Storage
import Testing

/// The local copies `S3BlobStore` keeps of what it fetched or stored. Use is a file's modification
/// time, so a test ages a copy by backdating it rather than by waiting.
struct BlobCacheTests {
    private func blob(_ byte: UInt8, count: Int) -> (id: BlobID, bytes: [UInt8]) {
        let bytes = [UInt8](repeating: byte, count: count)
        return (BlobID(digest: SHA256.hash(bytes)), bytes)
    }

    /// The copies' paths relative to the cache, `incoming` left out.
    private func copies(_ cache: BlobCache) -> [String] {
        filesBelow(cache.root).filter { !$0.hasPrefix("incoming/") }
    }

    /// Backdates a copy's use; a missing copy fails the test rather than `backdate`'s precondition.
    private func age(_ cache: BlobCache, _ id: BlobID, by seconds: Int) throws {
        try #require(FileManager.default.fileExists(atPath: cache.path(for: id)), "no copy of \(id) to age")
        backdate(cache.path(for: id), by: seconds)
    }

    private func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func anInsertedCopyIsFoundAndItsUseRecorded() throws {
        try withTemporaryDirectory { directory in
            let cache = try BlobCache(root: "\(directory)/cache", limit: 1 << 20)
            let (id, bytes) = blob(1, count: 1000)
            #expect(cache.lookup(id) == nil)
            try cache.insert(bytes, as: id)

            let path = try #require(cache.lookup(id))
            #expect(path == "\(directory)/cache/\(id.hex.prefix(2))/\(id.hex)")
            #expect(try contents(path) == bytes)
            #expect(cache.bytesHeld == 1000)
            #expect(try FileManager.default.contentsOfDirectory(atPath: cache.incoming).isEmpty)

            backdate(path, by: 7_200)
            #expect(cache.lookup(id) == path)
            #expect(try modificationTime(path) > Int(Date().timeIntervalSince1970) - 60)
        }
    }

    @Test func aSecondCopyOfOneBlobIsDropped() throws {
        try withTemporaryDirectory { directory in
            let cache = try BlobCache(root: "\(directory)/cache", limit: 1 << 20)
            let (id, bytes) = blob(2, count: 500)
            try cache.insert(bytes, as: id)
            // A download that raced the first one lands second.
            let late = "\(cache.incoming)/late"
            try Data(bytes).write(to: URL(fileURLWithPath: late))
            try cache.insert(late, as: id)
            try cache.insert(bytes, as: id)

            #expect(!FileManager.default.fileExists(atPath: late))
            #expect(copies(cache) == ["\(id.hex.prefix(2))/\(id.hex)"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: cache.incoming).isEmpty)
            #expect(cache.bytesHeld == 500)
        }
    }

    @Test func pastTheLimitTheLeastRecentlyUsedGo() throws {
        try withTemporaryDirectory { directory in
            let cache = try BlobCache(root: "\(directory)/cache", limit: 1_000)
            let (a, b, c, d) = (blob(1, count: 300), blob(2, count: 300), blob(3, count: 300), blob(4, count: 300))
            for item in [a, b, c] { try cache.insert(item.bytes, as: item.id) }
            try age(cache, a.id, by: 3 * 3_600)
            try age(cache, b.id, by: 2 * 3_600)
            try age(cache, c.id, by: 3_600)
            // The oldest, used again, is now the youngest.
            #expect(cache.lookup(a.id) != nil)

            // 1,200 bytes: the oldest go until a tenth of the room is free (900), so b alone.
            try cache.insert(d.bytes, as: d.id)
            #expect(cache.lookup(b.id) == nil)
            #expect([a, c, d].allSatisfy { cache.lookup($0.id) != nil })
            #expect(cache.bytesHeld == 900)
        }
    }

    @Test func copiesUsedInTheLastMinuteAreNeverEvicted() throws {
        try withTemporaryDirectory { directory in
            let cache = try BlobCache(root: "\(directory)/cache", limit: 1_000)
            let items = (1...4).map { blob(UInt8($0), count: 300) }
            for item in items { try cache.insert(item.bytes, as: item.id) }
            // Over the limit, but every copy may be about to be opened.
            #expect(cache.bytesHeld == 1_200)
            #expect(copies(cache).count == 4)

            // Just outside the minute, the oldest goes at the next insert, and only what it takes.
            try age(cache, items[0].id, by: Int(BlobCache.inUse.components.seconds) + 5)
            let fifth = blob(5, count: 300)
            try cache.insert(fifth.bytes, as: fifth.id)
            #expect(cache.lookup(items[0].id) == nil)
            #expect(copies(cache).count == 4)
            #expect(cache.bytesHeld == 1_200)
        }
    }

    @Test func removeGivesBackTheRoom() throws {
        try withTemporaryDirectory { directory in
            let cache = try BlobCache(root: "\(directory)/cache", limit: 1 << 20)
            let (first, second) = (blob(1, count: 100), blob(2, count: 250))
            try cache.insert(first.bytes, as: first.id)
            try cache.insert(second.bytes, as: second.id)
            #expect(cache.bytesHeld == 350)
            cache.remove(first.id)
            cache.remove(first.id)
            cache.remove(blob(3, count: 1).id)
            #expect(cache.bytesHeld == 250)
            #expect(cache.lookup(first.id) == nil && cache.lookup(second.id) != nil)
        }
    }

    @Test func reopeningEmptiesIncomingAndCountsTheCopies() throws {
        try withTemporaryDirectory { directory in
            let root = "\(directory)/cache"
            let (kept, other) = (blob(1, count: 700), blob(2, count: 40))
            do {
                let cache = try BlobCache(root: root, limit: 1 << 20)
                try cache.insert(kept.bytes, as: kept.id)
                try cache.insert(other.bytes, as: other.id)
                // A download a crash interrupted, and a file that is no copy.
                try Data("half".utf8).write(to: URL(fileURLWithPath: "\(cache.incoming)/partial"))
                try Data("stray".utf8).write(to: URL(fileURLWithPath: "\(root)/\(kept.id.hex.prefix(2))/notes"))
            }
            let cache = try BlobCache(root: root, limit: 1 << 20)
            #expect(try FileManager.default.contentsOfDirectory(atPath: cache.incoming).isEmpty)
            #expect(cache.bytesHeld == 740)
            #expect(try contents(try #require(cache.lookup(kept.id))) == kept.bytes)
        }
    }
}
