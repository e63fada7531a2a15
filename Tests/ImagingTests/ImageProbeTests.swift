import Imaging
import Testing

struct ImageProbeTests {
    static let goodImages: [(name: String, format: ImageFormat, width: Int, height: Int)] = [
        ("good-png-gray1-13x7.png", .png, 13, 7),
        ("good-png-gray8-14x9.png", .png, 14, 9),
        ("good-png-gray16-15x6.png", .png, 15, 6),
        ("good-png-rgb-16x5.png", .png, 16, 5),
        ("good-png-palette-17x11.png", .png, 17, 11),
        ("good-png-grayalpha-18x4.png", .png, 18, 4),
        ("good-png-rgba-19x10.png", .png, 19, 10),
        ("good-png-rgba16-20x3.png", .png, 20, 3),
        ("good-png-interlaced-rgba16-21x13.png", .png, 21, 13),
        ("good-jpeg-baseline-23x15.jpg", .jpeg, 23, 15),
        ("good-jpeg-progressive-24x17.jpg", .jpeg, 24, 17),
        ("good-jpeg-gray-25x12.jpg", .jpeg, 25, 12),
        ("good-jpeg-cmyk-26x8.jpg", .jpeg, 26, 8),
    ]

    @Test func everyGoodFixtureIsListedHere() {
        #expect(Fixtures.names("good-") == Self.goodImages.map(\.name).sorted())
    }

    @Test(arguments: goodImages)
    func theProbeReadsFormatAndSizeFromTheHeader(image: (name: String, format: ImageFormat, width: Int, height: Int)) throws {
        let info = try ImageProbe.probe(try Fixtures.bytes(image.name))
        #expect(info == ImageInfo(format: image.format, width: image.width, height: image.height))
    }

    @Test(arguments: Fixtures.names("bad-header-"))
    func aBrokenHeaderIsCorruptToTheProbe(name: String) throws {
        let error = try #require(throws: ImageError.self) { try ImageProbe.probe(try Fixtures.bytes(name)) }
        #expect(error.isCorrupt, "\(error)")
    }

    @Test func bytesWithoutAPNGOrJPEGSignatureAreUnsupported() {
        let others: [[UInt8]] = [
            Array("hello, this is text\n".utf8),
            Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0],
            Array("BM".utf8) + [UInt8](repeating: 0, count: 60),
            Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8),
            [0xFF, 0xD8, 0x00, 0x00],
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x00],
        ]
        for bytes in others {
            #expect(throws: ImageError.unsupportedFormat) { try ImageProbe.probe(bytes) }
        }
    }

    @Test func noBytesAtAllAreEmpty() {
        #expect(throws: ImageError.empty) { try ImageProbe.probe([UInt8]()) }
        #expect(throws: ImageError.empty) { try ImageProbe.verify([UInt8]()) }
    }

    @Test func aFileEndingInsideTheSignatureIsCorrupt() {
        #expect(throws: ImageError.corrupt("truncated within the png signature")) {
            try ImageProbe.probe([0x89, 0x50, 0x4E])
        }
        #expect(throws: ImageError.corrupt("truncated within the jpeg signature")) {
            try ImageProbe.probe([0xFF, 0xD8])
        }
    }

    @Test func pixelBombsAreRefusedFromTheHeaderBeforeAnyDecoding() throws {
        // The PNG bomb's IDAT holds 64 bytes: had it been decoded, the error would be corruption.
        let png = try Fixtures.bytes("bomb-png-100000x100000.png")
        let pngBomb = ImageError.tooManyPixels(width: 100_000, height: 100_000, limit: 65_535)
        #expect(throws: pngBomb) { try ImageProbe.probe(png) }
        #expect(throws: pngBomb) { try ImageProbe.verify(png) }
        let jpeg = try Fixtures.bytes("bomb-jpeg-60000x60000.jpg")
        let jpegBomb = ImageError.tooManyPixels(width: 60_000, height: 60_000, limit: 100_000_000)
        #expect(throws: jpegBomb) { try ImageProbe.probe(jpeg) }
        #expect(throws: jpegBomb) { try ImageProbe.verify(jpeg) }
        #expect(Fixtures.names("bomb-").count == 2)
    }

    @Test func limitsApplyToEachSideAndToThePixelCount() throws {
        let jpeg = try Fixtures.bytes("good-jpeg-baseline-23x15.jpg")
        #expect(throws: ImageError.tooManyPixels(width: 23, height: 15, limit: 20)) {
            try ImageProbe.probe(jpeg, limits: ImageLimits(maxDimension: 20))
        }
        #expect(throws: ImageError.tooManyPixels(width: 23, height: 15, limit: 344)) {
            try ImageProbe.verify(jpeg, limits: ImageLimits(maxPixels: 344))
        }
        #expect(try ImageProbe.verify(jpeg, limits: ImageLimits(maxPixels: 345, maxDimension: 23)).width == 23)
    }

    /// Every fixture cut at every length, each copy ending at an unreadable page: the probe must
    /// answer (an error, or the whole file's answer once the header is in) without reading past the end.
    @Test(arguments: Fixtures.small())
    func theProbeNeverReadsPastTheEndOfAnyPrefix(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let whole = try? ImageProbe.probe(bytes)
        for length in 0..<bytes.count {
            let result = withGuardedCopy(of: bytes[..<length]) { buffer in
                Result { () throws(ImageError) in try ImageProbe.probe(buffer) }
            }
            if case .success(let info) = result { #expect(info == whole, "\(name) cut at \(length)") }
        }
    }

    @Test func formatsNameTheirExtensionAndMediaType() {
        #expect(ImageFormat.png.fileExtension == "png" && ImageFormat.png.mimeType == "image/png")
        #expect(ImageFormat.jpeg.fileExtension == "jpg" && ImageFormat.jpeg.mimeType == "image/jpeg")
        #expect(ImageFormat(rawValue: "jpeg") == .jpeg)
    }
}
