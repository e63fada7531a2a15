import Imaging
import Testing

/// `PolygonMask` against a per-pixel reference written another way (a ray from each pixel's center,
/// counting crossings), on squares, a bow tie, a pentagram and polygons reaching outside the image.
struct PolygonMaskTests {
    private static func filled(_ polygon: [[Double]], width: Int = 24, height: Int = 20) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: width * height)
        PolygonMask.fill(polygon, value: 1, into: &mask, width: width, height: height)
        return mask
    }

    /// Even-odd by ray casting to the right from each pixel's center.
    private static func reference(_ polygon: [[Double]], width: Int = 24, height: Int = 20) -> [UInt8] {
        (0..<(width * height)).map { index in
            let (x, y) = (Double(index % width) + 0.5, Double(index / width) + 0.5)
            var inside = false
            for (i, a) in polygon.enumerated() {
                let b = polygon[(i + 1) % polygon.count]
                if (a[1] > y) != (b[1] > y), x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]) { inside.toggle() }
            }
            return inside ? 1 : 0
        }
    }

    @Test func aSquareCoversThePixelsWhoseCentersItHolds() {
        let mask = Self.filled([[2, 2], [6, 2], [6, 6], [2, 6]])
        #expect(mask.reduce(0) { $0 + Int($1) } == 16 && mask[2 * 24 + 2] == 1 && mask[6 * 24 + 6] == 0)
    }

    @Test(arguments: [
        [[2.0, 2], [20, 17], [20, 2], [2, 17]],  // a bow tie
        [[12.0, 1], [16.7, 18], [2, 7.5], [22, 7.5], [7.3, 18]],  // a pentagram: its middle stays empty
        [[-5.0, -5], [30, 3], [10.2, 25]],  // reaching outside
        [[3.3, 4.7], [11.9, 2.1], [19.4, 9.8], [14.2, 16.6], [5.5, 13.05], [8.5, 9.5]],
    ])
    func everyPolygonMatchesTheRayCastingReference(polygon: [[Double]]) {
        #expect(Self.filled(polygon) == Self.reference(polygon), "\(polygon)")
    }

    @Test func thePentagramsMiddleIsEmptyByTheEvenOddRule() {
        let mask = Self.filled([[12, 1], [16.7, 18], [2, 7.5], [22, 7.5], [7.3, 18]])
        #expect(mask[10 * 24 + 12] == 0 && mask[8 * 24 + 3] == 1)
    }

    @Test func lessThanThreePointsFillNothing() {
        #expect(Self.filled([[1, 1], [9, 9]]).allSatisfy { $0 == 0 })
    }
}
