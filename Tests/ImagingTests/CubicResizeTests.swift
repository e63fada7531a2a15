import Imaging
import Testing

/// `Resize.cubic` against a plain Double evaluation of the same filter (Pillow's BICUBIC: Keys' cubic,
/// a = −0.5, widened by the reduction factor, weights normalised per output), rounded once at the end.
struct CubicResizeTests {
    static func keys(_ distance: Double) -> Double {
        let x = abs(distance), a = -0.5
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Weights of every source sample for output `i`, zero outside the filter.
    static func weights(_ i: Int, source: Int, target: Int) -> [Double] {
        let scale = Double(source) / Double(target), widen = max(scale, 1), support = 2 * widen
        let center = (Double(i) + 0.5) * scale
        let low = max(0, Int(center - support + 0.5)), high = min(source, Int(center + support + 0.5))
        var weights = [Double](repeating: 0, count: source)
        for index in low..<high { weights[index] = keys((Double(index) - center + 0.5) / widen) }
        let sum = weights.reduce(0, +)
        return weights.map { $0 / sum }
    }

    static func reference(_ bitmap: Bitmap, width: Int, height: Int) -> [Double] {
        let c = bitmap.channels
        let columns = (0..<width).map { weights($0, source: bitmap.width, target: width) }
        let rows = (0..<height).map { weights($0, source: bitmap.height, target: height) }
        var out = [Double](repeating: 0, count: width * height * c)
        for y in 0..<height {
            for x in 0..<width {
                for k in 0..<c {
                    var sum = 0.0
                    for sy in 0..<bitmap.height where rows[y][sy] != 0 {
                        for sx in 0..<bitmap.width where columns[x][sx] != 0 {
                            sum += rows[y][sy] * columns[x][sx] * Double(bitmap.pixels[(sy * bitmap.width + sx) * c + k])
                        }
                    }
                    out[(y * width + x) * c + k] = min(max(sum, 0), 255)
                }
            }
        }
        return out
    }

    static func noise(width: Int, height: Int, channels: Int, seed: UInt64) -> Bitmap {
        var state = seed
        let pixels = (0..<width * height * channels).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return Bitmap(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [(40, 30, 3, 32, 24), (41, 29, 3, 13, 10), (37, 23, 4, 9, 31), (33, 17, 1, 20, 7),
                      (1, 9, 3, 1, 4), (9, 1, 4, 3, 1), (5, 4, 3, 11, 9), (64, 2, 1, 3, 2), (300, 3, 1, 257, 2), (17, 2, 1, 40, 3)])
    func everySampleIsWithinRoundingOfADoubleReference(width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int) {
        let bitmap = Self.noise(width: width, height: height, channels: channels, seed: UInt64(width * 1000 + height))
        let resized = Resize.cubic(bitmap, width: toWidth, height: toHeight)
        #expect((resized.width, resized.height, resized.channels) == (toWidth, toHeight, channels))
        let reference = Self.reference(bitmap, width: toWidth, height: toHeight)
        let worst = zip(resized.pixels, reference).map { abs(Double($0) - $1) }.max() ?? 0
        // Rounding to the nearest byte is 0.5; single-precision sums add a little more.
        #expect(worst <= 0.51, "\(width)×\(height)×\(channels) to \(toWidth)×\(toHeight): off by \(worst)")
    }

    @Test func aOnePixelImageStretchesToAConstantImage() {
        let pixel = Bitmap(width: 1, height: 1, channels: 4, pixels: [9, 200, 0, 255])
        let resized = Resize.cubic(pixel, width: 3, height: 5)
        #expect(resized.pixels == Array(repeating: [9, 200, 0, 255], count: 15).flatMap { $0 })
    }

    @Test func overshootAtAHardEdgeIsClampedToTheByteRange() {
        // A cubic rings at a step from 0 to 255; without the clamp the sums would wrap around.
        let step = Bitmap(width: 8, height: 1, channels: 1, pixels: [0, 0, 0, 0, 255, 255, 255, 255])
        let resized = Resize.cubic(step, width: 24, height: 1)
        #expect(resized.pixels.first == 0 && resized.pixels.last == 255)
        #expect(zip(resized.pixels, resized.pixels.dropFirst()).allSatisfy { $0 <= $1 }, "\(resized.pixels)")
    }

    @Test func theSameSizeComesBackUnchanged() {
        let bitmap = Self.noise(width: 7, height: 5, channels: 3, seed: 1)
        #expect(Resize.cubic(bitmap, width: 7, height: 5) == bitmap)
    }
}
