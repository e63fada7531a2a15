import Imaging
import Testing

struct ResizeTests {
    @Test func halvingAveragesEachTwoByTwoBlock() {
        let bitmap = Bitmap(width: 4, height: 4, channels: 1, pixels: [
            0, 4, 10, 20,
            8, 12, 30, 40,
            100, 100, 1, 2,
            200, 200, 3, 5,
        ])
        #expect(Resize.area(bitmap, width: 2, height: 2).pixels == [6, 25, 150, 3])
    }

    /// Three pixels into two: each output covers 1.5 inputs, the middle one split half and half.
    @Test func fractionalFootprintsWeighPartlyCoveredPixels() {
        let bitmap = Bitmap(width: 3, height: 1, channels: 3, pixels: [0, 90, 255, 30, 90, 0, 60, 90, 255])
        // (2·0 + 30)/3 = 10 and (30 + 2·60)/3 = 50; (2·255 + 0)/3 = 170 and (0 + 2·255)/3 = 170.
        #expect(Resize.area(bitmap, width: 2, height: 1).pixels == [10, 90, 170, 50, 90, 170])
    }

    @Test(arguments: [(7, 5), (3, 11), (1, 1), (40, 2), (13, 13)])
    func aConstantImageStaysConstant(width: Int, height: Int) {
        let bitmap = Bitmap(width: 13, height: 9, channels: 4, pixels: Array(repeating: [255, 0, 77, 254], count: 13 * 9).flatMap { $0 })
        let resized = Resize.area(bitmap, width: width, height: height)
        #expect((resized.width, resized.height, resized.channels) == (width, height, 4))
        #expect(resized.pixels == Array(repeating: [255, 0, 77, 254], count: width * height).flatMap { $0 })
    }

    @Test func upscalingBlendsNeighbours() {
        let bitmap = Bitmap(width: 2, height: 1, channels: 1, pixels: [0, 100])
        #expect(Resize.area(bitmap, width: 4, height: 1).pixels == [0, 0, 100, 100])
        #expect(Resize.area(bitmap, width: 3, height: 1).pixels == [0, 50, 100])
    }

    @Test(arguments: [((640, 480), (256, 192)), ((480, 640), (192, 256)), ((1000, 3), (256, 1)),
                      ((256, 100), (256, 100)), ((20, 30), (20, 30)), ((257, 257), (256, 256))])
    func fitKeepsTheAspectRatioAndNeverEnlarges(size: (Int, Int), fitted: (Int, Int)) {
        let bitmap = Bitmap(width: size.0, height: size.1, channels: 1, pixels: Array(repeating: 9, count: size.0 * size.1))
        let result = Resize.fit(bitmap, longSide: 256)
        #expect((result.width, result.height) == fitted)
        #expect(result.pixels.allSatisfy { $0 == 9 })
    }
}
