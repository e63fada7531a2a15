import Foundation
import Imaging
import Testing

struct ZipWriterTests {
    /// What an archive should hold, for `zipfile` to check: each name with the file holding its bytes.
    struct Expected: Encodable {
        let name: String
        let source: String
        let deflated: Bool
    }

    static let checkWithZipfile = """
        import json, sys, zipfile
        expected = json.load(open(sys.argv[2]))
        with zipfile.ZipFile(sys.argv[1]) as archive:
            assert archive.testzip() is None
            infos = archive.infolist()
            assert [i.filename for i in infos] == [e["name"] for e in expected], [i.filename for i in infos]
            for info, e in zip(infos, expected):
                assert archive.read(info) == open(e["source"], "rb").read(), info.filename
                assert info.compress_type == (zipfile.ZIP_DEFLATED if e["deflated"] else zipfile.ZIP_STORED)
                assert info.flag_bits & 0x800, "UTF-8 flag"
                assert info.external_attr >> 16 == 0o100644, oct(info.external_attr >> 16)
        print("ok")
        """

    /// Writes each entry's bytes to its own file and adds it, from memory or from that file.
    func writeArchive(in directory: String, _ entries: [(name: String, bytes: [UInt8], deflate: Bool, fromDisk: Bool)])
        throws -> (archive: String, expected: [Expected]) {
        let archive = "\(directory)/export.zip"
        let writer = try ZipWriter(path: archive)
        var expected = [Expected]()
        for (index, entry) in entries.enumerated() {
            let source = "\(directory)/source-\(index)"
            try Data(entry.bytes).write(to: URL(fileURLWithPath: source))
            if entry.fromDisk {
                try writer.add(name: entry.name, contentsOf: source, compress: entry.deflate)
            } else {
                try writer.add(name: entry.name, bytes: entry.bytes, compress: entry.deflate)
            }
            expected.append(Expected(name: entry.name, source: source, deflated: entry.deflate))
        }
        try writer.finish()
        return (archive, expected)
    }

    func expectZipfileAccepts(_ archive: String, _ expected: [Expected], in directory: String) throws {
        let manifest = "\(directory)/expected.json"
        try JSONEncoder().encode(expected).write(to: URL(fileURLWithPath: manifest))
        let result = try runPython(Self.checkWithZipfile, [archive, manifest])
        #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
    }

    /// Three MiB that deflate can shrink but not to nothing.
    static let largeFile: [UInt8] = {
        var state: UInt32 = 12345
        return (0..<(3 << 20)).map { index in
            state = state &* 1_664_525 &+ 1_013_904_223
            return index % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 24) : UInt8(index % 251)
        }
    }()

    @Test func storedAndDeflatedEntriesReadBackInPythonsZipfile() throws {
        try withTemporaryDirectory { directory in
            let photo = try Fixtures.bytes("good-jpeg-baseline-23x15.jpg")
            let (archive, expected) = try writeArchive(in: directory, [
                ("annotations.json", Array(#"{"images": [], "labels": ["cat", "dog"]}"#.utf8), true, false),
                ("images/cat.jpg", photo, false, false),
                ("images/données/名前-ünïcode.jpg", photo, false, true),
                ("empty-stored.txt", [], false, false),
                ("empty-deflated.txt", [], true, true),
                ("large/deflated.bin", Self.largeFile, true, true),
                ("large/stored.bin", Self.largeFile, false, true),
            ])
            try expectZipfileAccepts(archive, expected, in: directory)
            // Nothing here needs 64-bit fields, so none are written.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
            #expect(bytes.range(of: Data([0x50, 0x4B, 0x06, 0x06])) == nil)
            #expect(bytes.count < 2 * Self.largeFile.count + 2 * photo.count + 4096)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip")))
    func infoZipsUnzipTestsTheArchiveClean() throws {
        try withTemporaryDirectory { directory in
            let (archive, _) = try writeArchive(in: directory, [
                ("images/a.png", try Fixtures.bytes("good-png-palette-17x11.png"), false, false),
                ("notes/é.txt", Array("héllo\n".utf8), true, false),
                ("large.bin", Self.largeFile, true, true),
            ])
            let result = try run("/usr/bin/unzip", ["-t", archive])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("No errors detected"))
        }
    }

    @Test(arguments: ["", "/etc/passwd", "../escape", "a/../../escape", "./a", "a/./b", "a//b", "folder/",
                      "a\\b", "C:/Windows/x", "stream:name", "nul\0byte", "bell\u{7}", "line\nbreak"])
    func unsafeNamesAreRefused(name: String) throws {
        try withTemporaryDirectory { directory in
            let writer = try ZipWriter(path: "\(directory)/a.zip")
            let error = try #require(throws: ZipError.self) { try writer.add(name: name, bytes: [1], compress: false) }
            guard case .unsafeName(let refused, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(refused == name)
        }
    }

    @Test func aDuplicateNameIsRefused() throws {
        try withTemporaryDirectory { directory in
            let writer = try ZipWriter(path: "\(directory)/a.zip")
            try writer.add(name: "a/b.txt", bytes: [1], compress: false)
            #expect(throws: ZipError.duplicateName("a/b.txt")) { try writer.add(name: "a/b.txt", bytes: [2], compress: true) }
        }
    }

    @Test func anEntryThatFailsHalfwayIsCutOffAndTheArchiveStaysValid() throws {
        try withTemporaryDirectory { directory in
            let archive = "\(directory)/a.zip"
            let writer = try ZipWriter(path: archive)
            try writer.add(name: "first.txt", bytes: Array("first".utf8), compress: true)
            // A directory opens and has a size, but reading it fails after the header is written.
            #expect(throws: FileSystemError.self) { try writer.add(name: "broken", contentsOf: directory, compress: true) }
            #expect(throws: FileSystemError.self) { try writer.add(name: "missing", contentsOf: "\(directory)/none", compress: false) }
            try writer.add(name: "last.txt", bytes: Array("last".utf8), compress: false)
            try writer.finish()
            let first = "\(directory)/first", last = "\(directory)/last"
            try Data("first".utf8).write(to: URL(fileURLWithPath: first))
            try Data("last".utf8).write(to: URL(fileURLWithPath: last))
            try expectZipfileAccepts(archive, [Expected(name: "first.txt", source: first, deflated: true),
                                               Expected(name: "last.txt", source: last, deflated: false)], in: directory)
        }
    }

    @Test func theArchivePathMustNotExist() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/taken.zip"
            try Data("mine".utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: FileSystemError.self) { try ZipWriter(path: path) }
            #expect(error.errno == EEXIST)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("mine".utf8))
        }
    }

    @Test func nothingCanBeAddedOnceFinished() throws {
        try withTemporaryDirectory { directory in
            let writer = try ZipWriter(path: "\(directory)/a.zip")
            try writer.finish()
            #expect(throws: ZipError.closed) { try writer.add(name: "late", bytes: [1], compress: false) }
            #expect(throws: ZipError.closed) { try writer.finish() }
            let result = try runPython("import zipfile, sys; print(zipfile.ZipFile(sys.argv[1]).namelist())",
                                       ["\(directory)/a.zip"])
            #expect(result.output == "[]\n")
        }
    }

    @Test func droppingAnUnfinishedWriterRemovesItsFile() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/abandoned.zip"
            do {
                let writer = try ZipWriter(path: path)
                try writer.add(name: "a", bytes: [1, 2, 3], compress: false)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
