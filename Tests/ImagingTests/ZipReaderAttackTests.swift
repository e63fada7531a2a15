import Foundation
import Imaging
import Testing

/// Archives made to attack whoever unpacks them. Each must be refused with the error that names
/// the attack, before anything is extracted where the directory alone gives it away.
struct ZipReaderAttackTests {
    typealias Fixture = ZipReaderFixture

    func opening(_ path: String, _ limits: ZipLimits = ZipLimits()) -> ZipReadError? {
        Fixture.refusal { () throws(ZipReadError) in _ = try ZipReader(path: path, limits: limits) }
    }

    @Test(arguments: ["../evil.png", "/abs.png", "a/../../b.png", "C:\\x.png", "C:x.png", "images\\evil.png",
                      "a//b.png", "./a.png", "bell\u{7}.png", "/"])
    func zipSlipNamesAreRefused(name: String) throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"zipfile.ZipFile(path, "w").writestr(zipfile.ZipInfo(sys.argv[2]), b"x")"#,
                                        arguments: [name])
            guard case .unsafeName(let refused, _) = opening(path) else { Issue.record("\(name) was not refused"); return }
            #expect(refused == name)
        }
    }

    @Test func aNameThatIsNotUTF8IsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                zipfile.ZipFile(path, "w").writestr("caf#.png", b"x")
                data = open(path, "rb").read().replace(b"caf#", b"caf\x82")
                open(path, "wb").write(data)
                """#)
            guard case .unsafeName(_, let reason) = opening(path) else { Issue.record("not refused"); return }
            #expect(reason == "it is not UTF-8")
        }
    }

    @Test func aDuplicateNameIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                import warnings
                warnings.simplefilter("ignore")
                with zipfile.ZipFile(path, "w") as z:
                    z.writestr("a.png", b"first")
                    z.writestr("a.png", b"second")
                """#)
            guard case .unsafeName(let name, _) = opening(path) else { Issue.record("not refused"); return }
            #expect(name == "a.png")
        }
    }

    @Test func aSymlinkIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                info = zipfile.ZipInfo("link.png")
                info.external_attr = 0o120777 << 16
                zipfile.ZipFile(path, "w").writestr(info, b"/etc/passwd")
                """#)
            #expect(opening(path) == .symlink(name: "link.png"))
        }
    }

    @Test func anEntryThatInflatesTooFarIsRefusedByItsRatio() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("small.txt", b"fine")
                    z.writestr("bomb.bin", bytes(50 << 20))
                """#)
            #expect(opening(path) == .compressionRatio(name: "bomb.bin", limit: 200))
        }
    }

    /// A blank mask deflates far past the ratio, but at its size it costs nothing to accept.
    @Test func smallEntriesAreExemptFromTheRatioButNotTheirSum() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                    for i in range(5):
                        z.writestr(f"masks/{i}.raw", bytes(100_000))
                """#)
            #expect(try ZipReader(path: path).entries.count == 5)
            var limits = ZipLimits()
            limits.ratioExemptBytes = 150_000
            #expect(opening(path, limits) == .compressionRatio(name: "masks/1.raw", limit: 200))
        }
    }

    /// The directory claims 1 KiB; the data inflates to 10 MB. Only counting the output catches it.
    @Test func anEntryThatLiesAboutItsSizeIsStoppedWhileInflating() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED).writestr("liar.bin", bytes(10_000_000))
                patch(b"PK\x01\x02", 24, "<I", 1024)
                patch(b"PK\x03\x04", 22, "<I", 1024)
                """#)
            let reader = try ZipReader(path: path)
            #expect(reader.entries[0].uncompressedSize == 1024)
            // Stopped at the first piece past the declared size, not after inflating all 10 MB.
            let overrun = ZipReadError.corrupt("\"liar.bin\" inflates past its declared size")
            #expect(Fixture.refusal { () throws(ZipReadError) in _ = try reader.data(of: 0) } == overrun)
            let target = "\(directory)/liar.bin"
            #expect(Fixture.refusal { () throws(ZipReadError) in try reader.extract(0, to: target) } == overrun)
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test func sizeAndCountLimitsAreEnforced() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                with zipfile.ZipFile(path, "w") as z:
                    for i in range(5):
                        z.writestr(f"{i}.bin", bytes(1000))
                """#)
            var limits = ZipLimits()
            limits.maxEntries = 4
            #expect(opening(path, limits) == .tooManyEntries(limit: 4))
            limits = ZipLimits()
            limits.maxEntryUncompressedBytes = 999
            #expect(opening(path, limits) == .entryTooLarge(name: "0.bin", limit: 999))
            limits = ZipLimits()
            limits.maxTotalUncompressedBytes = 4999
            #expect(opening(path, limits) == .totalTooLarge(limit: 4999))
            limits.maxTotalUncompressedBytes = 5000
            #expect(try ZipReader(path: path, limits: limits).entries.count == 5)
        }
    }

    @Test func truncatedArchivesAndOtherFilesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("a.txt", bytes(range(256)) * 100)
                    z.writestr("b.txt", b"second")
                """#)
            let whole = try Data(contentsOf: URL(fileURLWithPath: path))
            let cases: [(bytes: Data, error: ZipReadError)] = [
                (whole.prefix(whole.count / 2), .truncated),
                (whole.prefix(whole.count - 10), .truncated),
                (Data("not an archive at all, but long enough to search".utf8), .notAZip),
                (Data(), .notAZip),
            ]
            for (index, test) in cases.enumerated() {
                let cut = "\(directory)/cut-\(index).zip"
                try test.bytes.write(to: URL(fileURLWithPath: cut))
                #expect(opening(cut) == test.error, "case \(index)")
            }
        }
    }

    @Test func encryptedAndUnsupportedEntriesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let encrypted = try Fixture.make(in: directory, #"""
                zipfile.ZipFile(path, "w").writestr("secret.txt", b"x")
                patch(b"PK\x01\x02", 8, "<H", 1)
                """#)
            #expect(opening(encrypted) == .encrypted(name: "secret.txt"))
            let bzip2 = try Fixture.make(in: directory, #"zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2).writestr("b.txt", b"x" * 100)"#)
            #expect(opening(bzip2) == .unsupportedMethod(name: "b.txt", method: 12))
        }
    }

    @Test func aFlippedByteFailsTheCRC() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                zipfile.ZipFile(path, "w").writestr("photo.png", b"original pixels")
                data = open(path, "rb").read().replace(b"original", b"Original", 1)
                open(path, "wb").write(data)
                """#)
            let reader = try ZipReader(path: path)
            #expect(Fixture.refusal { () throws(ZipReadError) in _ = try reader.data(of: 0) } == .crcMismatch(name: "photo.png"))
        }
    }

    /// Streaming unzippers read local headers; the directory here says another name.
    @Test func aLocalHeaderNamingAnotherFileIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                zipfile.ZipFile(path, "w").writestr("safe.png", b"x")
                data = bytearray(open(path, "rb").read())
                data[30:38] = b"evil.php"
                open(path, "wb").write(data)
                """#)
            let reader = try ZipReader(path: path)
            #expect(reader.entries.map(\.name) == ["safe.png"])
            #expect(Fixture.refusal { () throws(ZipReadError) in _ = try reader.data(of: 0) }?.isCorrupt == true)
        }
    }

    /// Entries that share one compressed kernel are how the smallest bombs multiply it.
    @Test func overlappingEntriesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let path = try Fixture.make(in: directory, #"""
                with zipfile.ZipFile(path, "w") as z:
                    z.writestr("a.bin", b"a" * 100)
                    z.writestr("b.bin", b"b" * 100)
                patch(b"PK\x01\x02", 42, "<I", 0, which=1)
                """#)
            #expect(opening(path)?.isCorrupt == true)
        }
    }
}
