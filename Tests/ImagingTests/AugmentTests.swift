@testable import Imaging
import Testing

struct AugmentTests {
    /// A repeatable stream of values in [0, 1) without Learn's generator (Imaging must not need it).
    struct Stream {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(UInt64(1) << 53)
        }
    }

    /// Every pixel distinct (mod 256) so any two different crops differ.
    static func gradient(width: Int, height: Int, channels: Int = 3) -> Bitmap {
        Bitmap(width: width, height: height, channels: channels,
               pixels: (0..<(width * height * channels)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    }

    @Test func theSameStreamGivesTheSameCrop() {
        let bitmap = Self.gradient(width: 40, height: 30)
        for seed: UInt64 in 0..<20 {
            var a = Stream(state: seed), b = Stream(state: seed)
            let first = Augment.randomResizedCrop(bitmap, size: 12) { a.next() }
            let second = Augment.randomResizedCrop(bitmap, size: 12) { b.next() }
            #expect(first == second)
        }
        var a = Stream(state: 1), b = Stream(state: 2)
        #expect(Augment.randomResizedCrop(bitmap, size: 12) { a.next() }
                != Augment.randomResizedCrop(bitmap, size: 12) { b.next() })
    }

    @Test(arguments: [(40, 30, 16), (5, 50, 8), (7, 7, 32), (1, 1, 4)])
    func theCropIsSizeBySize(width: Int, height: Int, size: Int) {
        var stream = Stream(state: UInt64(width * 1000 + height))
        for _ in 0..<10 {
            let crop = Augment.randomResizedCrop(Self.gradient(width: width, height: height), size: size) { stream.next() }
            #expect((crop.width, crop.height, crop.channels) == (size, size, 3))
        }
    }

    @Test func cropRectanglesLieInsideAndRespectTheBounds() {
        var stream = Stream(state: 9)
        for _ in 0..<200 {
            let r = Augment.cropRectangle(width: 64, height: 48, scale: 0.08...1, ratio: 0.75...(4.0 / 3.0)) { stream.next() }
            #expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= 64 && r.y + r.height <= 48)
            #expect(r.width * r.height >= Int(0.07 * 64 * 48))
        }
    }

    /// A stream that never fits (scale 1 at ratio 4/3 on a tall image) falls back to the centred crop.
    @Test func impossibleRectanglesFallBackToTheCentre() {
        let r = Augment.cropRectangle(width: 10, height: 40, scale: 1...1, ratio: 0.75...(4.0 / 3.0)) { 0.999 }
        // 10 / 40 is below 0.75, so the full width and height round(10 / 0.75) = 13, centred.
        #expect(r == (0, 13, 10, 13))
    }

    @Test func flippingTwiceIsTheIdentity() {
        let bitmap = Self.gradient(width: 5, height: 3, channels: 4)
        let flipped = Augment.horizontalFlip(bitmap)
        #expect(flipped != bitmap)
        #expect(Augment.horizontalFlip(flipped) == bitmap)
        let row = Bitmap(width: 3, height: 1, channels: 1, pixels: [1, 2, 3])
        #expect(Augment.horizontalFlip(row).pixels == [3, 2, 1])
    }

    @Test func centerCropKeepsTheMiddle() {
        // 6 × 2, columns numbered: the shorter side is already 2, so the crop is columns 2 and 3.
        let wide = Bitmap(width: 6, height: 2, channels: 1, pixels: [0, 10, 20, 30, 40, 50, 0, 10, 20, 30, 40, 50])
        #expect(Augment.centerCrop(wide, size: 2).pixels == [20, 30, 20, 30])
        // 2 × 8 tall, rows numbered: the centred square is rows 3 and 4, averaged when shrunk to 1.
        let tall = Bitmap(width: 2, height: 8, channels: 1, pixels: (0..<8).flatMap { [UInt8($0 * 10), UInt8($0 * 10)] })
        let crop = Augment.centerCrop(tall, size: 1)
        #expect(crop.pixels == [35])
        #expect(Augment.centerCrop(tall, size: 2).pixels == [30, 30, 40, 40])
    }

    @Test func cropThenNormalizeGivesChannelsFirstFloats() {
        var stream = Stream(state: 3)
        let crop = Augment.randomResizedCrop(Self.gradient(width: 20, height: 20), size: 8) { stream.next() }
        #expect(ImageTensor.normalized(crop).count == 3 * 8 * 8)
    }
}
