/// Polygons rasterized into a class mask, a pixel set when its center is inside by the even-odd rule:
/// a self-intersecting polygon (a bow tie, a pentagram) is filled where a ray from the point crosses its
/// edges an odd number of times, as SVG's and COCO's `evenodd` fill. Points outside the image are fine;
/// what falls outside is clipped.
public enum PolygonMask {
    /// Sets `value` in `mask` (`width` × `height`, row-major) wherever `polygon` (`[x, y]` points in pixels,
    /// at least three) covers a pixel's center.
    public static func fill(_ polygon: [[Double]], value: UInt8, into mask: inout [UInt8], width: Int, height: Int) {
        precondition(mask.count == width * height, "a mask of width × height")
        let points = polygon.filter { $0.count == 2 && $0[0].isFinite && $0[1].isFinite }
        guard points.count >= 3 else { return }
        let top = max(0, Int((points.map { $0[1] }.min()! - 0.5).rounded(.up)))
        let bottom = min(height - 1, Int((points.map { $0[1] }.max()! - 0.5).rounded(.down)))
        guard top <= bottom else { return }
        var crossings: [Double] = []
        for row in top...bottom {
            let y = Double(row) + 0.5
            crossings.removeAll(keepingCapacity: true)
            for (index, start) in points.enumerated() {
                let end = points[(index + 1) % points.count]
                // Half-open in y, so a vertex on the scanline is counted once, and a horizontal edge never.
                guard (start[1] <= y) != (end[1] <= y) else { continue }
                crossings.append(start[0] + (y - start[1]) * (end[0] - start[0]) / (end[1] - start[1]))
            }
            crossings.sort()
            for pair in stride(from: 0, to: crossings.count - 1, by: 2) {
                // The pixels whose centers x + 0.5 lie in [left, right).
                let first = max(0, Int((crossings[pair] - 0.5).rounded(.up)))
                let last = min(width - 1, Int((crossings[pair + 1] - 0.5).rounded(.up)) - 1)
                guard first <= last else { continue }
                for column in first...last { mask[row * width + column] = value }
            }
        }
    }
}
