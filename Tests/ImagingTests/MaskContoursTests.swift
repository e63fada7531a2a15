import Foundation
import Imaging
import Testing

/// `MaskContours` round trip: a region traced into its outline and rasterized again with `PolygonMask` is
/// the region (holes filled), and simplification keeps it within its tolerance.
struct MaskContoursTests {
    private static let (width, height) = (24, 20)

    private static func mask(_ polygons: [([[Double]], UInt8)]) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: width * height)
        for (polygon, value) in polygons { PolygonMask.fill(polygon, value: value, into: &mask, width: width, height: height) }
        return mask
    }

    private static func redraw(_ polygons: [[[Double]]], value: UInt8) -> [UInt8] {
        mask(polygons.map { ($0, value) })
    }

    @Test(arguments: [
        [[2.0, 2], [6, 2], [6, 6], [2, 6]],
        [[3.3, 4.7], [11.9, 2.1], [19.4, 9.8], [14.2, 16.6], [5.5, 13.05], [8.5, 9.5]],
        [[1.0, 1], [22, 1], [22, 18], [15, 18], [15, 6], [8, 6], [8, 18], [1, 18]],  // a U: concave
        [[0.0, 0], [24, 0], [24, 20], [0, 20]],  // the whole image
    ])
    func anOutlineRedrawnIsTheRegion(polygon: [[Double]]) {
        let region = Self.mask([(polygon, 3)])
        let traced = MaskContours.polygons(of: 3, in: region, width: Self.width, height: Self.height, tolerance: 0)
        #expect(traced.count == 1)
        #expect(Self.redraw(traced, value: 3) == region, "\(polygon)")
    }

    @Test func separateRegionsAreSeparatePolygonsLargestFirstAndSpecksCanBeDropped() {
        let region = Self.mask([([[1, 1], [9, 1], [9, 9], [1, 9]], 1), ([[15, 3], [17, 3], [17, 5], [15, 5]], 1), ([[20, 15], [21, 15], [21, 16], [20, 16]], 1)])
        let all = MaskContours.polygons(of: 1, in: region, width: Self.width, height: Self.height, tolerance: 0)
        #expect(all.count == 3 && all[0] == [[1, 1], [9, 1], [9, 9], [1, 9]])
        #expect(MaskContours.polygons(of: 1, in: region, width: Self.width, height: Self.height, minimumPixels: 2).count == 2)
    }

    @Test func aHoleIsFilledInTheOutline() {
        let ring = Self.mask([([[2, 2], [14, 2], [14, 14], [2, 14]], 2), ([[6, 6], [10, 6], [10, 10], [6, 10]], 0)])
        let traced = MaskContours.polygons(of: 2, in: ring, width: Self.width, height: Self.height, tolerance: 0)
        #expect(traced.count == 1 && Self.redraw(traced, value: 2) == Self.mask([([[2, 2], [14, 2], [14, 14], [2, 14]], 2)]))
    }

    @Test func simplifiedOutlinesStayCloseToTheRegion() {
        let disc = (0..<64).map { i -> [Double] in
            let angle = Double(i) / 64 * 2 * .pi
            return [12 + 8.3 * cos(angle), 10 + 8.3 * sin(angle)]
        }
        let region = Self.mask([(disc, 1)])
        let exact = MaskContours.polygons(of: 1, in: region, width: Self.width, height: Self.height, tolerance: 0)[0]
        let simple = MaskContours.polygons(of: 1, in: region, width: Self.width, height: Self.height, tolerance: 1)[0]
        #expect(simple.count < exact.count / 2, "\(simple.count) of \(exact.count) corners")
        let redrawn = Self.redraw([simple], value: 1)
        let differing = zip(redrawn, region).filter { $0 != $1 }.count
        let area = region.filter { $0 == 1 }.count
        #expect(Double(differing) / Double(area) < 0.1, "\(differing) of \(area) pixels differ")
    }
}
