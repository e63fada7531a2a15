import Imaging
import Testing

struct ImageVerifyTests {
    @Test(arguments: ImageProbeTests.goodImages.map(\.name))
    func verifyDecodesEveryGoodFixtureAndAgreesWithTheProbe(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let info = try ImageProbe.verify(bytes)
        #expect(info == (try ImageProbe.probe(bytes)))
        #expect(try ImageProbe.verify(fileAt: Fixtures.path(name)) == info)
    }

    @Test(arguments: Fixtures.names("bad-data-"))
    func damagedDataPassesTheProbeButNotVerification(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        _ = try ImageProbe.probe(bytes)
        let error = try #require(throws: ImageError.self) { try ImageProbe.verify(bytes) }
        #expect(error.isCorrupt, "\(error)")
        let fromFile = try #require(throws: ImageError.self) { try ImageProbe.verify(fileAt: Fixtures.path(name)) }
        #expect(fromFile == error)
    }

    /// Decoders must notice truncation anywhere, down to a missing end marker; the copies end at an
    /// unreadable page, so a decoder reading past them would crash the test.
    @Test(arguments: Fixtures.small())
    func everyProperPrefixOfEveryFixtureFailsVerification(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        for length in 0..<bytes.count {
            let result = withGuardedCopy(of: bytes[..<length]) { buffer in
                Result { () throws(ImageError) in try ImageProbe.verify(buffer) }
            }
            if case .success = result { Issue.record("\(name) cut at \(length) bytes was accepted") }
        }
    }

    @Test func verifyingAMissingFileIsAFileSystemError() {
        #expect(throws: FileSystemError.self) { try ImageProbe.verify(fileAt: Fixtures.path("no-such-file.png")) }
    }

    @Test func corruptionCarriesTheDecodersReason() throws {
        let png = try Fixtures.bytes("bad-data-png-idat-crc.png")
        #expect(throws: ImageError.corrupt("IDAT: CRC error")) { try ImageProbe.verify(png) }
        let jpeg = try Fixtures.bytes("bad-data-jpeg-missing-eoi.jpg")
        #expect(throws: ImageError.corrupt("Premature end of JPEG file")) { try ImageProbe.verify(jpeg) }
    }
}
