import Foundation
import Imaging
import Testing

/// Thumbnails of YCbCr and gray JPEGs are resized plane by plane; these check that path against
/// resizing the decoded RGB image, for every chroma sampling, EXIF turn and shrink-on-decode.
struct PlanarThumbnailTests {
    /// Peak signal-to-noise ratio of two same-sized bitmaps, in dB.
    static func psnr(_ a: Bitmap, _ b: Bitmap) -> Double {
        let squared = zip(a.pixels, b.pixels).reduce(0.0) { sum, pair in
            let d = Double(pair.0) - Double(pair.1)
            return sum + d * d
        }
        return 10 * log10(255 * 255 / max(squared / Double(a.pixels.count), 1e-12))
    }

    @Test(arguments: Fixtures.names("sampling-") + Fixtures.names("orient-") + ["good-jpeg-baseline-23x15.jpg", "good-jpeg-progressive-24x17.jpg"])
    func aPlanarThumbnailIsAsCloseToTheImageAsResizingInRGB(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        #expect(try ImageDecoder.jpegPlanes(bytes, atLeast: 1)?.count == 3)
        let planar = try ImageDecoder.decode(try Thumbnail.make(from: bytes))
        let reference = Resize.fit(try ImageDecoder.decode(bytes), longSide: Thumbnail.longSide)
        #expect((planar.width, planar.height) == (reference.width, reference.height))
        // The same thumbnail made through RGB: decoded as small, resized, encoded at the same quality.
        let decoded = try ImageDecoder.decode(bytes, atLeast: min(reference.width, reference.height))
        let rgb = try ImageDecoder.decode(try ImageEncoder.jpeg(Resize.fit(decoded, longSide: Thumbnail.longSide), quality: 80))
        // The fixtures' sawtooth texture is the worst case: resizing in YCbCr clamps different
        // overshoots than in RGB, which costs up to 1.5 dB on the 6×4 images and under 0.5 on the
        // others. A misplaced or misturned plane costs ten.
        let (planarScore, rgbScore) = (Self.psnr(planar, reference), Self.psnr(rgb, reference))
        #expect(planarScore >= rgbScore - 2, "\(name): \(planarScore) dB, through RGB \(rgbScore) dB")
    }

    @Test func aTurnedImageIsTurnedPlaneByPlane() throws {
        let upright = try ImageDecoder.jpegPlanes(try Fixtures.bytes("sampling-jpeg-422-301x199.jpg"), atLeast: 199)!
        let turned = try ImageDecoder.jpegPlanes(try Fixtures.bytes("sampling-jpeg-422-orient6-301x199.jpg"), atLeast: 199)!
        // 4:2:2 chroma is half as wide; turned a quarter, it is half as high.
        #expect(upright.map { [$0.width, $0.height] } == [[301, 199], [151, 199], [151, 199]])
        #expect(turned.map { [$0.width, $0.height] } == [[199, 301], [199, 151], [199, 151]])
        // Orientation 6 (turn clockwise): upright row y, column x comes from stored row h−1−x, column y.
        for (a, b) in zip(upright, turned) {
            for (x, y) in [(0, 0), (a.height - 1, 0), (5, 17), (a.height - 1, a.width - 1)] {
                #expect(b.samples[y * b.stride + x] == a.samples[(a.height - 1 - x) * a.stride + y])
            }
        }
    }

    @Test func aLargeJPEGIsShrunkWhileDecodingItsPlanes() throws {
        let planes = try ImageDecoder.jpegPlanes(try Fixtures.bytes("sampling-jpeg-420-701x529.jpg"), atLeast: 193)!
        // Halved by libjpeg-turbo (sides rounded up). It scales chroma's IDCT up rather than shrink
        // it, so chroma comes out as large as luma.
        #expect(planes.map { [$0.width, $0.height] } == [[351, 265], [351, 265], [351, 265]])
        #expect(planes.allSatisfy { $0.stride >= $0.width && $0.rows >= $0.height })
    }

    @Test func grayStaysOnePlaneAndCMYKAndPNGTakeTheRGBPath() throws {
        let gray = try #require(try ImageDecoder.jpegPlanes(try Fixtures.bytes("good-jpeg-gray-25x12.jpg"), atLeast: 1))
        #expect(gray.count == 1)
        let thumbnail = try ImageDecoder.decode(try Thumbnail.make(from: try Fixtures.bytes("good-jpeg-gray-25x12.jpg")), keepGray: true)
        #expect((thumbnail.width, thumbnail.height, thumbnail.channels) == (25, 12, 1))
        #expect(try ImageDecoder.jpegPlanes(try Fixtures.bytes("good-jpeg-cmyk-26x8.jpg"), atLeast: 1) == nil)
        #expect(try ImageDecoder.jpegPlanes(try Fixtures.bytes("good-png-rgb-16x5.png"), atLeast: 1) == nil)
    }

    @Test(arguments: Fixtures.names("bad-data-jpeg"))
    func damageIsFoundWhenDecodingPlanes(name: String) throws {
        #expect(throws: ImageError.self) { try ImageDecoder.jpegPlanes(try Fixtures.bytes(name), atLeast: 1) }
    }

    @Test(arguments: [(330, 40, 256, 31, 16), (19, 3, 40, 2, 8), (64, 9, 7, 5, 8), (5, 5, 5, 5, 16)])
    func aResizedPlaneMatchesTheReferenceAndRepeatsItsEdges(width: Int, height: Int, toWidth: Int, toHeight: Int, alignment: Int) {
        let bitmap = CubicResizeTests.noise(width: width, height: height, channels: 1, seed: UInt64(width + height))
        // Rows wider than the plane, as libjpeg hands them over, with junk in the padding.
        let stride = width + 5
        let samples = (0..<height * stride).map { i in i % stride < width ? bitmap.pixels[i / stride * width + i % stride] : 77 }
        let plane = Resize.cubic(Plane(width: width, height: height, stride: stride, samples: samples),
                                 width: toWidth, height: toHeight, alignment: alignment)
        #expect((plane.width, plane.height) == (toWidth, toHeight))
        #expect(plane.stride % alignment == 0 && plane.rows % alignment == 0 && plane.rows >= toHeight)
        let reference = CubicResizeTests.reference(bitmap, width: toWidth, height: toHeight)
        for y in 0..<plane.rows {
            for x in 0..<plane.stride {
                let sample = Double(plane.samples[y * plane.stride + x])
                let expected = reference[min(y, toHeight - 1) * toWidth + min(x, toWidth - 1)]
                #expect(abs(sample - expected) <= 0.51, "(\(x), \(y)) of \(width)×\(height) to \(toWidth)×\(toHeight)")
            }
        }
    }

    @Test(arguments: [(160, 120, 256, 192), (351, 265, 256, 193), (37, 23, 37, 23), (9, 5, 3, 1)])
    func chromaIsTheFullSizeResizeAveragedTwoByTwo(width: Int, height: Int, lumaWidth: Int, lumaHeight: Int) {
        let bitmap = CubicResizeTests.noise(width: width, height: height, channels: 1, seed: UInt64(width * height))
        let plane = Resize.chroma(Plane(width: width, height: height, stride: width, samples: bitmap.pixels),
                                  lumaWidth: lumaWidth, lumaHeight: lumaHeight, alignment: 8)
        let (halfWidth, halfHeight) = ((lumaWidth + 1) / 2, (lumaHeight + 1) / 2)
        #expect((plane.width, plane.height) == (halfWidth, halfHeight))
        // Full size, unclamped, in Double; a missing partner at an odd edge repeats the last sample.
        let columns = (0..<lumaWidth).map { CubicResizeTests.weights($0, source: width, target: lumaWidth) }
        let rows = (0..<lumaHeight).map { CubicResizeTests.weights($0, source: height, target: lumaHeight) }
        func full(_ x: Int, _ y: Int) -> Double {
            var sum = 0.0
            for sy in 0..<height where rows[y][sy] != 0 {
                for sx in 0..<width where columns[x][sx] != 0 { sum += rows[y][sy] * columns[x][sx] * Double(bitmap.pixels[sy * width + sx]) }
            }
            return sum
        }
        for y in 0..<halfHeight {
            for x in 0..<halfWidth {
                let xs = [2 * x, min(2 * x + 1, lumaWidth - 1)], ys = [2 * y, min(2 * y + 1, lumaHeight - 1)]
                let average = xs.flatMap { x in ys.map { y in full(x, y) } }.reduce(0, +) / 4
                let expected = min(max(average, 0), 255)
                #expect(abs(Double(plane.samples[y * plane.stride + x]) - expected) <= 0.51, "(\(x), \(y))")
            }
        }
    }
}
