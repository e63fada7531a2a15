import Foundation
@testable import Imaging
import Testing

struct ZipReaderTests {
    /// Every entry's bytes, read into memory and extracted to a file, against what went in.
    func expectContents(_ reader: ZipReader, _ expected: [String: [UInt8]], in directory: String) throws {
        for (index, entry) in reader.entries.enumerated() where !entry.isDirectory {
            let bytes = try #require(expected[entry.name], "unexpected entry \(entry.name)")
            #expect(try reader.data(of: index) == bytes, "\(entry.name)")
            let target = "\(directory)/extracted-\(index)"
            try reader.extract(index, to: target)
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: target))) == bytes, "\(entry.name)")
            let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test func storedAndDeflatedEntriesFromZipfileReadBack() throws {
        try withTemporaryDirectory { directory in
            let large = ZipWriterTests.largeFile
            try Data(large).write(to: URL(fileURLWithPath: "\(directory)/large"))
            // The second archive goes to a stream zipfile cannot seek, so every entry gets a data descriptor.
            let path = try ZipReaderFixture.make(in: directory, #"""
                large = open(sys.argv[2], "rb").read()
                class Unseekable:
                    def __init__(self, f): self.f = f
                    def write(self, b): return self.f.write(b)
                    def flush(self): self.f.flush()
                for target in (path, sys.argv[2] + ".streamed.zip"):
                    out = open(target, "wb")
                    with zipfile.ZipFile(out if target == path else Unseekable(out), "w") as z:
                        z.writestr("notes.txt", b"stored bytes", compress_type=zipfile.ZIP_STORED)
                        z.writestr("labels/", b"")
                        z.writestr("labels/cat.json", b'{"label": "cat"}' * 50, compress_type=zipfile.ZIP_DEFLATED)
                        z.writestr("données/名前.txt", "ünïcode".encode(), compress_type=zipfile.ZIP_DEFLATED)
                        z.writestr("large.bin", large, compress_type=zipfile.ZIP_DEFLATED)
                        z.writestr("empty.txt", b"", compress_type=zipfile.ZIP_DEFLATED)
                    out.close()
                """#, arguments: ["\(directory)/large"])
            let expected: [String: [UInt8]] = [
                "notes.txt": Array("stored bytes".utf8), "labels/cat.json": Array(String(repeating: #"{"label": "cat"}"#, count: 50).utf8),
                "données/名前.txt": Array("ünïcode".utf8), "large.bin": large, "empty.txt": [],
            ]
            for archive in [path, "\(directory)/large.streamed.zip"] {
                let reader = try ZipReader(path: archive)
                #expect(reader.entries.map(\.name) == ["notes.txt", "labels/", "labels/cat.json", "données/名前.txt",
                                                       "large.bin", "empty.txt"])
                #expect(reader.entries.map(\.isDirectory) == [false, true, false, false, false, false])
                #expect(reader.entries.map(\.method) == [0, 0, 8, 8, 8, 8])
                #expect(reader.entries[4].uncompressedSize == 3 << 20 && reader.entries[4].compressedSize < 3 << 20)
                #expect(try reader.data(of: 1) == [])
                try FileManager.default.createDirectory(atPath: "\(archive).out", withIntermediateDirectories: false)
                try expectContents(reader, expected, in: "\(archive).out")
            }
        }
    }

    @Test func anArchiveFromZipWriterReadsBack() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/export.zip"
            let writer = try ZipWriter(path: path)
            let photo = try Fixtures.bytes("good-jpeg-baseline-23x15.jpg")
            try writer.add(name: "images/cat.jpg", bytes: photo, compress: false)
            try writer.add(name: "large.bin", bytes: ZipWriterTests.largeFile, compress: true)
            try writer.add(name: "empty", bytes: [], compress: true)
            try writer.finish()
            let reader = try ZipReader(path: path)
            #expect(reader.entries.map(\.name) == ["images/cat.jpg", "large.bin", "empty"])
            try expectContents(reader, ["images/cat.jpg": photo, "large.bin": ZipWriterTests.largeFile, "empty": []],
                               in: directory)
        }
    }

    @Test func extractingOverAnExistingFileIsRefusedAndLeavesIt() throws {
        try withTemporaryDirectory { directory in
            let path = try ZipReaderFixture.make(in: directory, #"zipfile.ZipFile(path, "w").writestr("a.txt", b"new")"#)
            let target = "\(directory)/taken"
            try Data("mine".utf8).write(to: URL(fileURLWithPath: target))
            let error = ZipReaderFixture.refusal { () throws(ZipReadError) in try ZipReader(path: path).extract(0, to: target) }
            guard case .fileSystem(let cause) = error else { Issue.record("unexpected \(String(describing: error))"); return }
            #expect(cause.errno == EEXIST)
            #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data("mine".utf8))
        }
    }

    @Test func anEmptyArchiveHasNoEntries() throws {
        try withTemporaryDirectory { directory in
            let path = try ZipReaderFixture.make(in: directory, #"zipfile.ZipFile(path, "w").close()"#)
            #expect(try ZipReader(path: path).entries.isEmpty)
        }
    }

    @Test func seventyThousandEntriesOpenThroughTheZip64EndRecord() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/many.zip"
            let writer = try ZipWriter(path: path)
            for index in 0..<70_000 {
                try writer.add(name: "e/\(index)", bytes: Array("\(index)".utf8), compress: index == 69_999)
            }
            try writer.finish()
            let reader = try ZipReader(path: path)
            #expect(reader.entries.count == 70_000)
            #expect(reader.entries[65_535].name == "e/65535")
            #expect(try reader.data(of: 65_536) == Array("65536".utf8))
            #expect(try reader.data(of: 69_999) == Array("69999".utf8))
        }
    }

    /// Sizes past 4 GiB cannot be written in a test's time, so small ones are put in ZIP64 extra
    /// fields, as `ZipWriter` does for large ones.
    @Test func sizesInZip64ExtraFieldsAreRead() throws {
        try withTemporaryDirectory { directory in
            let content = Array("sized through ZIP64".utf8)
            var crc = CRC32()
            content.withUnsafeBytes { crc.update($0) }
            let entry = ZipEntry(name: Array("big.bin".utf8), method: ZipEntry.stored, offset: 0, zip64Sizes: true,
                                 crc: crc.value, compressedSize: UInt64(content.count), size: UInt64(content.count))
            var archive = entry.localHeader + content
            let directoryOffset = UInt64(archive.count)
            entry.appendCentralHeader(to: &archive)
            archive += ZipDirectoryEnd.records(entries: 1, directoryOffset: directoryOffset,
                                               directorySize: UInt64(archive.count) - directoryOffset)
            let path = "\(directory)/zip64.zip"
            try Data(archive).write(to: URL(fileURLWithPath: path))
            let reader = try ZipReader(path: path)
            #expect(reader.entries.first?.uncompressedSize == Int64(content.count))
            #expect(try reader.data(of: 0) == content)
        }
    }
}
