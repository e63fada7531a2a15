import Foundation
import Storage
import Testing

struct AtomicFileTests {
    @Test func writeReplacesTheWholeContent() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/settings.json"
            try AtomicFile.write(Array("a much longer first version".utf8), to: path)
            try AtomicFile.write(Array("second".utf8), to: path)
            #expect(FileManager.default.contents(atPath: path) == Data("second".utf8))
        }
    }

    @Test func writeLeavesNoTemporaryFileBeside() throws {
        try withTemporaryDirectory { directory in
            try AtomicFile.write([1, 2, 3], to: "\(directory)/data")
            try AtomicFile.write([], to: "\(directory)/empty")
            #expect(filesBelow(directory) == ["data", "empty"])
            #expect(FileManager.default.contents(atPath: "\(directory)/empty") == Data())
        }
    }

    @Test func aWriteIntoAMissingDirectoryFailsAndCreatesNothing() throws {
        try withTemporaryDirectory { directory in
            let error = try #require(throws: StorageError.self) {
                try AtomicFile.write([1], to: "\(directory)/missing/data")
            }
            guard case .io(let operation, _, let code) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(operation == "open" && code == ENOENT)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
        }
    }

    @Test func aFailedRenameRemovesTheTemporaryFile() throws {
        try withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: "\(directory)/occupied/inside", withIntermediateDirectories: true)
            #expect(throws: StorageError.self) { try AtomicFile.write([1], to: "\(directory)/occupied") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["occupied"])
        }
    }

    @Test func fsyncDirectoryReportsAMissingDirectory() throws {
        try withTemporaryDirectory { directory in
            try AtomicFile.fsyncDirectory(directory)
            #expect(throws: StorageError.self) { try AtomicFile.fsyncDirectory("\(directory)/missing") }
        }
    }
}
