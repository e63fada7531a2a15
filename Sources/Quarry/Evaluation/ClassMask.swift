/// One image's class per pixel as runs, how an evaluation keeps a segmenter's predicted and true masks:
/// `counts` alternates a class index into `classes` (0 the background) and the length of its run, the
/// pixels read row by row from the top left, a run going on across row ends. Consecutive runs have
/// different classes, and the lengths add up to `width` × `height`. A 4 × 2 mask whose second row is
/// class 2 but for its last pixel is `[0, 4, 2, 3, 0, 1]`.
///
/// A mask is kept at its image's own size, or, for an image over `maxSide` pixels a side, at that size
/// scaled to fit (`size(width:height:)`), so a result stays small whatever the image.
public struct ClassMask: Sendable, Equatable, Codable {
    public let width: Int
    public let height: Int
    /// The names of the class indices, "background" first.
    public let classes: [String]
    public let counts: [Int]

    /// The longest side a mask is kept at.
    public static let maxSide = 512

    /// `pixels` row-major, each a class index into `classes`.
    public init(pixels: [UInt8], width: Int, height: Int, classes: [String]) {
        precondition(pixels.count == width * height && width >= 0 && height >= 0, "one class per pixel")
        var counts: [Int] = []
        var start = 0
        while start < pixels.count {
            var end = start + 1
            while end < pixels.count && pixels[end] == pixels[start] { end += 1 }
            counts += [Int(pixels[start]), end - start]
            start = end
        }
        (self.width, self.height, self.classes, self.counts) = (width, height, classes, counts)
    }

    /// Every pixel's class index, row-major; nil when the runs are not `width` × `height` pixels of
    /// `classes`, in pairs of a class and a positive length.
    public var pixels: [UInt8]? {
        guard counts.count % 2 == 0, width >= 0, height >= 0, classes.count <= 256 else { return nil }
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height)
        for pair in stride(from: 0, to: counts.count, by: 2) {
            let (value, length) = (counts[pair], counts[pair + 1])
            guard classes.indices.contains(value), length > 0, length <= width * height - pixels.count else { return nil }
            pixels += repeatElement(UInt8(value), count: length)
        }
        return pixels.count == width * height ? pixels : nil
    }

    /// The size an image of `width` × `height` has its masks kept at: its own, or scaled to fit `maxSide`
    /// (each side rounded, at least 1).
    public static func size(width: Int, height: Int) -> (width: Int, height: Int) {
        let longest = max(width, height)
        guard longest > maxSide else { return (width, height) }
        let scale = Double(maxSide) / Double(longest)
        return (min(maxSide, max(1, Int((Double(width) * scale).rounded()))), min(maxSide, max(1, Int((Double(height) * scale).rounded()))))
    }
}
