import Foundation
@testable import Storage
import Testing

/// Blobs as files: every store here has an inline limit of 0 (`InlineBlobTests` covers small blobs in SQLite).
struct BlobStoreTests {
    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    private let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    private func withStore<T>(_ body: (LocalBlobStore) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in try body(LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 0)) }
    }

    @Test func initCreatesTheRootAndItsTemporaryDirectory() throws {
        try withStore { store in
            #expect(store.temporaryDirectory == store.root + "/tmp")
            #expect(FileManager.default.fileExists(atPath: store.temporaryDirectory))
        }
    }

    @Test func putStoresBytesUnderTheirSHA256() throws {
        try withStore { store in
            let id = try store.put(Array("abc".utf8))
            #expect(id.hex == abc)
            #expect(store.path(for: id) == "\(store.root)/ba/78/\(abc)")
            #expect(FileManager.default.contents(atPath: store.path(for: id)) == Data("abc".utf8))
            #expect(store.contains(id))
            #expect(try store.read(id) == Array("abc".utf8))
            #expect(try store.size(of: id) == 3)
        }
    }

    @Test func puttingExistingContentRewritesNothingButRefreshesItsAge() throws {
        try withStore { store in
            let id = try store.put(Array("abc".utf8))
            let path = store.path(for: id)
            backdate(path, by: 86_400)
            let inode = try FileSystem.lstat(path).st_ino
            #expect(try store.put(Array("abc".utf8)) == id)
            #expect(try FileSystem.lstat(path).st_ino == inode)
            #expect(try modificationTime(path) > Int(Date().timeIntervalSince1970) - 60)
        }
    }

    @Test func putLeavesNoTemporaryFiles() throws {
        try withStore { store in
            let ids = try (0..<5).map { try store.put([UInt8]($0..<10)) }
            #expect(try store.put([UInt8](0..<10)) == ids[0])
            let expected = ids.map { String(store.path(for: $0).dropFirst(store.root.count + 1)) }.sorted()
            #expect(filesBelow(store.root).filter { !$0.hasPrefix("inline.sqlite") } == expected)
        }
    }

    @Test func putContentsOfAMultiMebibyteFileEqualsPutOfItsBytesAndKeepsTheSource() throws {
        try withStore { store in
            let bytes = (0..<(3 * 1_048_576 + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
            let source = "\(store.root)/../source.bin"
            #expect(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
            let id = try store.put(contentsOf: source)
            #expect(FileManager.default.fileExists(atPath: source))
            #expect(filesBelow(store.temporaryDirectory) == [])
            #expect(try store.read(id) == bytes)
            #expect(try store.put(bytes) == id)
        }
    }

    @Test func adoptMovesASpooledFileIntoPlaceAndConsumesIt() throws {
        try withStore { store in
            let spooled = "\(store.temporaryDirectory)/upload-1"
            #expect(FileManager.default.createFile(atPath: spooled, contents: Data("abc".utf8)))
            let id = try store.adopt(temporaryFile: spooled)
            #expect(id.hex == abc)
            #expect(!FileManager.default.fileExists(atPath: spooled))
            #expect(try store.read(id) == Array("abc".utf8))

            #expect(FileManager.default.createFile(atPath: spooled, contents: Data("abc".utf8)))
            #expect(try store.adopt(temporaryFile: spooled) == id)
            #expect(filesBelow(store.temporaryDirectory) == [])
        }
    }

    @Test func adoptRefusesFilesOutsideTheTemporaryDirectory() throws {
        try withStore { store in
            let outside = "\(store.root)/stray"
            #expect(FileManager.default.createFile(atPath: outside, contents: Data("abc".utf8)))
            #expect(throws: StorageError.notInTemporaryDirectory(path: outside)) { try store.adopt(temporaryFile: outside) }
            let escaping = "\(store.temporaryDirectory)/../stray"
            #expect(throws: StorageError.notInTemporaryDirectory(path: escaping)) { try store.adopt(temporaryFile: escaping) }
            #expect(FileManager.default.fileExists(atPath: outside))
        }
    }

    @Test func aMissingBlobIsReportedByIDAndRemovingItTwiceIsFine() throws {
        try withStore { store in
            let id = try store.put(Array("abc".utf8))
            try store.remove(id)
            try store.remove(id)
            #expect(!store.contains(id))
            #expect(throws: StorageError.blobNotFound(id)) { try store.read(id) }
            #expect(throws: StorageError.blobNotFound(id)) { try store.size(of: id) }
        }
    }
}
