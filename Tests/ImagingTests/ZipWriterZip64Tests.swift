import Foundation
@testable import Imaging
import Testing

struct ZipWriterZip64Tests {
    @Test func seventyThousandEntriesGoThroughTheZip64EndRecord() throws {
        try withTemporaryDirectory { directory in
            let archive = "\(directory)/many.zip"
            let writer = try ZipWriter(path: archive)
            for index in 0..<70_000 {
                // A few deflated ones show both methods survive past the 65,535th entry.
                try writer.add(name: "entries/\(index).txt", bytes: Array("entry \(index)\n".utf8),
                               compress: index % 10_000 == 9_999)
            }
            try writer.finish()
            let result = try runPython("""
                import sys, zipfile
                data = open(sys.argv[1], "rb").read()
                assert b"PK\\x06\\x06" in data[-120:] and b"PK\\x06\\x07" in data[-120:], "ZIP64 end records"
                with zipfile.ZipFile(sys.argv[1]) as archive:
                    infos = archive.infolist()
                    assert len(infos) == 70000, len(infos)
                    assert archive.testzip() is None
                    for i in (0, 9999, 65534, 65535, 65536, 69999):
                        assert infos[i].filename == f"entries/{i}.txt", infos[i].filename
                        assert archive.read(infos[i]) == f"entry {i}\\n".encode()
                print("ok")
                """, [archive])
            #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
        }
    }

    /// Entries past 4 GiB cannot be written in a test's time; their header layout is checked
    /// against APPNOTE 4.3.12 and 4.5.3 field by field instead.
    @Test func aCentralHeaderPast4GiBMovesSizesAndOffsetIntoTheZip64Field() {
        let entry = ZipEntry(name: Array("big.bin".utf8), method: ZipEntry.stored, offset: 6 << 30,
                             zip64Sizes: true, crc: 0xDEAD_BEEF, compressedSize: 5 << 30, size: 5 << 30)
        var header = [UInt8]()
        entry.appendCentralHeader(to: &header)
        #expect(header.count == 46 + 7 + 28)
        #expect(littleEndian(header, at: 6, 2) == 45)  // version needed
        #expect(littleEndian(header, at: 16, 4) == 0xDEAD_BEEF)
        #expect(littleEndian(header, at: 20, 4) == 0xFFFF_FFFF && littleEndian(header, at: 24, 4) == 0xFFFF_FFFF)
        #expect(littleEndian(header, at: 30, 2) == 28)  // extra field length
        #expect(littleEndian(header, at: 42, 4) == 0xFFFF_FFFF)
        #expect(littleEndian(header, at: 53, 2) == 1 && littleEndian(header, at: 55, 2) == 24)
        #expect(littleEndian(header, at: 57, 8) == 5 << 30)  // size
        #expect(littleEndian(header, at: 65, 8) == 5 << 30)  // compressed size
        #expect(littleEndian(header, at: 73, 8) == 6 << 30)  // local header offset
    }

    @Test func aDirectoryPast4GiBGetsZip64EndRecordsButKeepsTheCountThatFits() {
        let records = ZipDirectoryEnd.records(entries: 3, directoryOffset: 5 << 30, directorySize: 200)
        #expect(records.count == 56 + 20 + 22)
        #expect(littleEndian(records, at: 0, 4) == 0x0606_4B50)
        #expect(littleEndian(records, at: 32, 8) == 3 && littleEndian(records, at: 48, 8) == 5 << 30)
        #expect(littleEndian(records, at: 56, 4) == 0x0706_4B50)
        #expect(littleEndian(records, at: 64, 8) == (5 << 30) + 200)  // where the ZIP64 record starts
        #expect(littleEndian(records, at: 76, 4) == 0x0605_4B50)
        #expect(littleEndian(records, at: 86, 2) == 3 && littleEndian(records, at: 92, 4) == 0xFFFF_FFFF)
    }

    @Test func sizesNearTheLimitReserveZip64AheadOfTheData() {
        #expect(!ZipEntry.needsZip64(size: 0xFFFF_FFFE, compressed: false))
        #expect(ZipEntry.needsZip64(size: 0xFFFF_FFFF, compressed: false))
        #expect(ZipEntry.needsZip64(size: 0xFFF0_0000, compressed: true))
        #expect(!ZipEntry.needsZip64(size: 1 << 31, compressed: true))
    }

    private func littleEndian(_ bytes: [UInt8], at offset: Int, _ count: Int) -> UInt64 {
        bytes[offset..<offset + count].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
