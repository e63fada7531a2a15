import Foundation
import Imaging
import Testing

/// Pillow's view of each fixture, written by make_fixtures.py into expected.json.
struct Expected: Decodable {
    let width: Int
    let height: Int
    let channels: Int
    let points: [[Int]]
    let values: [[Int]]

    static let all: [String: Expected] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: Fixtures.path("expected.json")))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()
}

struct ImageDecoderTests {
    /// JPEG decoders may differ by rounding in the IDCT and upsampling; PNG is lossless.
    static func tolerance(_ name: String) -> Int { name.hasSuffix(".jpg") ? 2 : 0 }

    static func expectPixels(_ bitmap: Bitmap, match expected: Expected, tolerance: Int, _ name: String) {
        #expect(bitmap.width == expected.width && bitmap.height == expected.height, "\(name)")
        #expect(bitmap.channels == expected.channels, "\(name)")
        guard bitmap.width == expected.width, bitmap.height == expected.height, bitmap.channels == expected.channels else { return }
        for (point, value) in zip(expected.points, expected.values) {
            let offset = (point[1] * bitmap.width + point[0]) * bitmap.channels
            let actual = bitmap.pixels[offset..<offset + bitmap.channels].map(Int.init)
            #expect(zip(actual, value).allSatisfy { abs($0 - $1) <= tolerance }, "\(name) at \(point): \(actual) vs Pillow's \(value)")
        }
    }

    @Test(arguments: ImageProbeTests.goodImages.map(\.name))
    func everyGoodFixtureDecodesAsPillowDoes(name: String) throws {
        let bitmap = try ImageDecoder.decode(try Fixtures.bytes(name))
        let expected = try #require(Expected.all[name])
        Self.expectPixels(bitmap, match: expected, tolerance: Self.tolerance(name), name)
    }

    @Test(arguments: 1...8)
    func exifOrientationIsAppliedAsPillowsExifTransposeDoes(orientation: Int) throws {
        let name = "orient-jpeg-\(orientation).jpg"
        let bitmap = try ImageDecoder.decode(try Fixtures.bytes(name))
        Self.expectPixels(bitmap, match: try #require(Expected.all[name]), tolerance: 2, name)
        // Orientation is applied after a scaled decode too.
        let scaled = try ImageDecoder.decode(try Fixtures.bytes(name), atLeast: 2)
        #expect((scaled.width, scaled.height) == (orientation >= 5 ? (2, 3) : (3, 2)))
    }

    @Test func grayStaysOneChannelOnlyWhenAskedAndOpaque() throws {
        for name in ["good-jpeg-gray-25x12.jpg", "good-png-gray8-14x9.png", "good-png-gray1-13x7.png", "good-png-gray16-15x6.png"] {
            let gray = try ImageDecoder.decode(try Fixtures.bytes(name), keepGray: true)
            let rgb = try ImageDecoder.decode(try Fixtures.bytes(name))
            #expect(gray.channels == 1 && rgb.channels == 3, "\(name)")
            #expect(gray.pixels.enumerated().allSatisfy { rgb.pixels[$0.offset * 3 + 1] == $0.element }, "\(name)")
        }
        let grayAlpha = try ImageDecoder.decode(try Fixtures.bytes("good-png-grayalpha-18x4.png"), keepGray: true)
        #expect(grayAlpha.channels == 4)
    }

    /// 1000×600 shrinks by the largest power of two that keeps the shorter side at the minimum.
    @Test(arguments: [(600, 1000, 600), (301, 1000, 600), (300, 500, 300), (76, 250, 150), (75, 125, 75), (1, 125, 75)])
    func scaledDecodePicksTheLargestReductionThatKeepsTheMinimum(minimum: Int, width: Int, height: Int) throws {
        let bitmap = try ImageDecoder.decode(Self.largeJPEG, atLeast: minimum)
        #expect((bitmap.width, bitmap.height) == (width, height))
    }

    @Test func scaledDecodeOfAPNGIsFullSize() throws {
        let bitmap = try ImageDecoder.decode(try Fixtures.bytes("good-png-rgb-16x5.png"), atLeast: 1)
        #expect((bitmap.width, bitmap.height) == (16, 5))
    }

    @Test(arguments: Fixtures.names("bad-"))
    func brokenFixturesAreCorrupt(name: String) throws {
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(try Fixtures.bytes(name)) }
        #expect(error.isCorrupt, "\(name): \(error)")
        #expect(throws: error) { try Thumbnail.make(from: try Fixtures.bytes(name)) }
    }

    @Test(arguments: Fixtures.names("bomb-"))
    func bombsAreRefusedBeforeDecoding(name: String) throws {
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(try Fixtures.bytes(name), atLeast: 8) }
        guard case .tooManyPixels = error else { Issue.record("\(name): \(error)"); return }
        #expect(throws: ImageError.tooManyPixels(width: 14, height: 9, limit: 100)) {
            try ImageDecoder.decode(try Fixtures.bytes("good-png-gray8-14x9.png"), limits: ImageLimits(maxPixels: 100))
        }
    }

    /// Truncation anywhere, the Exif segment included, is an error and never a crash.
    @Test(arguments: Fixtures.names("good-") + ["orient-jpeg-6.jpg", "orient-jpeg-7.jpg"])
    func everyProperPrefixFailsToDecode(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        for length in 0..<bytes.count {
            if (try? ImageDecoder.decode(Array(bytes[..<length]))) != nil { Issue.record("\(name) cut at \(length) decoded") }
        }
    }

    static let largeJPEG: [UInt8] = {
        let width = 1000, height = 600
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                pixels[(y * width + x) * 3] = UInt8(x % 256)
                pixels[(y * width + x) * 3 + 1] = UInt8(y % 256)
                pixels[(y * width + x) * 3 + 2] = 128
            }
        }
        return try! ImageEncoder.jpeg(Bitmap(width: width, height: height, channels: 3, pixels: pixels))
    }()
}
