import Foundation
@testable import Storage
import Testing

/// `BlobStore.backup`: what a restored store needs, and nothing a live store is still writing.
struct BlobStoreBackupTests {
    @Test func copiesInlineAndFileBlobsButNotHalfWrittenOrForeignFiles() throws {
        try withTemporaryDirectory { directory in
            let store = try LocalBlobStore(root: "\(directory)/blobs", inlineLimit: 8)
            let small = try store.put(Array("tiny".utf8))
            let large = try store.put(Array(repeating: 7, count: 100))
            let halfWritten = "\((store.path(for: large) as NSString).deletingLastPathComponent)/.incoming.tmp"
            #expect(FileManager.default.createFile(atPath: halfWritten, contents: Data("x".utf8)))
            #expect(FileManager.default.createFile(atPath: "\(store.temporaryDirectory)/upload", contents: Data("x".utf8)))

            try store.backup(to: "\(directory)/copy")
            store.close()

            let copy = try LocalBlobStore(root: "\(directory)/copy", inlineLimit: 8)
            defer { copy.close() }
            #expect(copy.contains(small) && copy.contains(large))
            let copied = filesBelow("\(directory)/copy").filter { !$0.hasPrefix("inline.sqlite") && !$0.hasPrefix("tmp") }
            #expect(copied == [String(store.path(for: large).dropFirst(store.root.count + 1))])
        }
    }
}
