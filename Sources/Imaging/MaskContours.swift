/// A class mask traced back into polygons: each 4-connected region of a value becomes the polygon of its
/// outer boundary, running along pixel edges (so rasterizing it again with `PolygonMask` gives the region
/// back, holes filled), then simplified with Douglas–Peucker. What segmentation pre-labels and exports are.
public enum MaskContours {
    /// The outer boundaries of `value`'s regions in `mask` (`width` × `height`, row-major), largest region
    /// first, each `[x, y]` points at pixel corners, simplified to within `tolerance` pixels (0 keeps every
    /// corner). Regions under `minimumPixels` are left out, as noise.
    public static func polygons(of value: UInt8, in mask: [UInt8], width: Int, height: Int, tolerance: Double = 1,
                                minimumPixels: Int = 1) -> [[[Double]]] {
        precondition(mask.count == width * height, "a mask of width × height")
        var seen = [Bool](repeating: false, count: mask.count)
        var regions: [(size: Int, polygon: [[Double]])] = []
        for start in mask.indices where mask[start] == value && !seen[start] {
            let region = flood(from: start, value: value, in: mask, width: width, height: height, seen: &seen)
            guard region.count >= minimumPixels else { continue }
            // The region's first pixel in raster order has open sky above it: its top edge is on the outer boundary.
            let corners = outline(region, from: start, width: width)
            regions.append((region.count, simplify(corners, tolerance: tolerance)))
        }
        return regions.sorted { $0.size > $1.size }.map(\.polygon)
    }

    /// The region's pixels (4-connected), marking them seen.
    private static func flood(from start: Int, value: UInt8, in mask: [UInt8], width: Int, height: Int, seen: inout [Bool]) -> Set<Int> {
        var region: Set<Int> = [start], stack = [start]
        seen[start] = true
        while let pixel = stack.popLast() {
            let (x, y) = (pixel % width, pixel / width)
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && nx < width && ny >= 0 && ny < height {
                let next = ny * width + nx
                if mask[next] == value && !seen[next] {
                    seen[next] = true
                    region.insert(next)
                    stack.append(next)
                }
            }
        }
        return region
    }

    /// Walks the outer boundary clockwise (y down), the region on the right, from the top-left corner of
    /// `start`; where the region touches itself at a corner, it turns right first, so it stays on this loop.
    private static func outline(_ region: Set<Int>, from start: Int, width: Int) -> [[Double]] {
        func inside(_ x: Int, _ y: Int) -> Bool { x >= 0 && x < width && y >= 0 && region.contains(y * width + x) }
        // Directions east, south, west, north; at corner (x, y), the pixels ahead-left and ahead-right of each.
        let steps = [(1, 0), (0, 1), (-1, 0), (0, -1)]
        func sides(_ direction: Int, _ x: Int, _ y: Int) -> (left: Bool, right: Bool) {
            switch direction {
            case 0: (inside(x, y - 1), inside(x, y))
            case 1: (inside(x, y), inside(x - 1, y))
            case 2: (inside(x - 1, y), inside(x - 1, y - 1))
            default: (inside(x - 1, y - 1), inside(x, y - 1))
            }
        }
        let origin = (start % width, start / width)
        var (x, y, direction) = (origin.0, origin.1, 0)
        var corners: [[Double]] = [[Double(x), Double(y)]]
        // At most four edges per pixel: a bound that only a bug could reach, rather than a hang.
        for _ in 0..<(4 * region.count + 4) {
            (x, y) = (x + steps[direction].0, y + steps[direction].1)
            // Right turn where the region allows it, else straight on, else left.
            for turn in [1, 0, 3] {
                let candidate = (direction + turn) % 4
                let (left, right) = sides(candidate, x, y)
                guard right && !left else { continue }
                if (x, y) == origin && candidate == 0 { return corners }
                if candidate != direction { corners.append([Double(x), Double(y)]) }
                direction = candidate
                break
            }
        }
        return corners
    }

    /// Douglas–Peucker on a closed outline: the points farther than `tolerance` from the chords survive.
    static func simplify(_ points: [[Double]], tolerance: Double) -> [[Double]] {
        guard tolerance > 0, points.count > 4 else { return points }
        // Split the loop at the point farthest from the first, and simplify the two halves as open chains.
        let far = points.indices.max { distance(points[0], points[$0]) < distance(points[0], points[$1]) } ?? 0
        let first = chain(Array(points[0...far]), tolerance: tolerance)
        let second = chain(Array(points[far...]) + [points[0]], tolerance: tolerance)
        return Array(first.dropLast()) + Array(second.dropLast())
    }

    private static func chain(_ points: [[Double]], tolerance: Double) -> [[Double]] {
        guard points.count > 2 else { return points }
        let (a, b) = (points[0], points[points.count - 1])
        var (worst, index) = (0.0, 0)
        for i in 1..<(points.count - 1) {
            let d = segmentDistance(points[i], a, b)
            if d > worst { (worst, index) = (d, i) }
        }
        guard worst > tolerance else { return [a, b] }
        return Array(chain(Array(points[0...index]), tolerance: tolerance).dropLast()) + chain(Array(points[index...]), tolerance: tolerance)
    }

    private static func distance(_ a: [Double], _ b: [Double]) -> Double {
        ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])).squareRoot()
    }

    private static func segmentDistance(_ p: [Double], _ a: [Double], _ b: [Double]) -> Double {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1])
        let length = dx * dx + dy * dy
        guard length > 0 else { return distance(p, a) }
        let t = max(0, min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
        return distance(p, [a[0] + t * dx, a[1] + t * dy])
    }
}
