import Imaging
import Testing

struct ImageCodecTests {
    /// Smooth up to about 50×30 (no wrap past 255), so JPEG keeps it close; different per channel, so swapped channels show.
    static func gradient(width: Int, height: Int, channels: Int) -> Bitmap {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    pixels[(y * width + x) * channels + c] = UInt8(truncatingIfNeeded: x * 3 + y * 2 + c * 40)
                }
            }
        }
        return Bitmap(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [1, 3, 4])
    func pngRoundTripsExactly(channels: Int) throws {
        let bitmap = Self.gradient(width: 37, height: 21, channels: channels)
        let png = try ImageEncoder.png(bitmap)
        #expect(try ImageProbe.verify(png) == ImageInfo(format: .png, width: 37, height: 21))
        #expect(try ImageDecoder.decode(png, keepGray: true) == bitmap)
    }

    @Test(arguments: [1, 3])
    func jpegRoundTripsClosely(channels: Int) throws {
        let bitmap = Self.gradient(width: 40, height: 24, channels: channels)
        let decoded = try ImageDecoder.decode(try ImageEncoder.jpeg(bitmap, quality: 95), keepGray: true)
        #expect((decoded.width, decoded.height, decoded.channels) == (40, 24, channels))
        let error = zip(decoded.pixels, bitmap.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        #expect(Double(error) / Double(bitmap.pixels.count) < 3)
    }

    @Test func jpegCompositesAlphaOverWhite() throws {
        // Left 8×8 block transparent red, right one opaque blue: whole blocks, so JPEG keeps them apart.
        let row = Array(repeating: [200, 0, 0, 0] as [UInt8], count: 8).flatMap { $0 }
            + Array(repeating: [0, 0, 200, 255] as [UInt8], count: 8).flatMap { $0 }
        let rgba = Bitmap(width: 16, height: 8, channels: 4, pixels: Array(repeating: row, count: 8).flatMap { $0 })
        let decoded = try ImageDecoder.decode(try ImageEncoder.jpeg(rgba, quality: 100))
        #expect(decoded.channels == 3)
        #expect(decoded.pixels[0..<3].allSatisfy { $0 >= 250 }, "transparent red turns white: \(decoded.pixels[0..<3])")
        let last = decoded.pixels.suffix(3).map(Int.init)
        #expect(last[0] <= 6 && last[1] <= 6 && abs(last[2] - 200) <= 6, "opaque blue stays: \(last)")
    }

    @Test func thumbnailOfALargeJPEGIsAJPEGWithLongSide256() throws {
        let thumbnail = try Thumbnail.make(from: ImageDecoderTests.largeJPEG)
        #expect(try ImageProbe.verify(thumbnail) == ImageInfo(format: .jpeg, width: 256, height: 154))
    }

    @Test func thumbnailOfAPNGIsAJPEGWithLongSide256() throws {
        let tall = try ImageEncoder.png(Self.gradient(width: 300, height: 600, channels: 4))
        #expect(try ImageProbe.verify(try Thumbnail.make(from: tall)) == ImageInfo(format: .jpeg, width: 128, height: 256))
    }

    @Test func thumbnailsAreUprightAndSmallImagesKeepTheirSize() throws {
        let turned = try ImageDecoder.decode(try Thumbnail.make(from: try Fixtures.bytes("orient-jpeg-6.jpg")))
        #expect((turned.width, turned.height) == (4, 6))
        let gray = try Thumbnail.make(from: try Fixtures.bytes("good-jpeg-gray-25x12.jpg"))
        #expect(try ImageProbe.verify(gray) == ImageInfo(format: .jpeg, width: 25, height: 12))
    }

    @Test func tensorIsNormalizedChannelsFirst() {
        let bitmap = Bitmap(width: 2, height: 1, channels: 4, pixels: [255, 0, 51, 9, 0, 255, 102, 9])
        let tensor = ImageTensor.normalized(bitmap)
        let expected: [Float] = [(1 - 0.485) / 0.229, (0 - 0.485) / 0.229,
                                 (0 - 0.456) / 0.224, (1 - 0.456) / 0.224,
                                 (0.2 - 0.406) / 0.225, (0.4 - 0.406) / 0.225]
        #expect(tensor.count == 6)
        #expect(zip(tensor, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(tensor)")
        let gray = ImageTensor.normalized(Bitmap(width: 1, height: 1, channels: 1, pixels: [51]), mean: [0, 0, 0], std: [1, 1, 1])
        #expect(zip(gray, [0.2, 0.2, 0.2]).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
