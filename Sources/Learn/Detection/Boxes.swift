/// An object's class and box in pixels of the image the model sees: corners (x1, y1) top-left and
/// (x2, y2) bottom-right, x2 > x1 and y2 > y1.
public struct LabeledBox: Sendable, Equatable, Codable {
    public var classIndex: Int
    public var x1, y1, x2, y2: Float

    public init(classIndex: Int, x1: Float, y1: Float, x2: Float, y2: Float) {
        (self.classIndex, self.x1, self.y1, self.x2, self.y2) = (classIndex, x1, y1, x2, y2)
    }

    public var width: Float { x2 - x1 }
    public var height: Float { y2 - y1 }
    public var area: Float { max(0, width) * max(0, height) }

    /// Intersection over union; 0 when either box has no area.
    public func iou(_ other: LabeledBox) -> Float {
        let width = min(x2, other.x2) - max(x1, other.x1), height = min(y2, other.y2) - max(y1, other.y1)
        guard width > 0, height > 0 else { return 0 }
        let intersection = width * height
        return intersection / (area + other.area - intersection)
    }

    /// The box scaled by (sx, sy) about the origin: from one image size to another.
    public func scaled(x sx: Float, y sy: Float) -> LabeledBox {
        LabeledBox(classIndex: classIndex, x1: x1 * sx, y1: y1 * sy, x2: x2 * sx, y2: y2 * sy)
    }
}

/// A box a detector found, with its confidence in (0, 1].
public struct Detection: Sendable, Equatable {
    public var box: LabeledBox
    public var score: Float

    public init(box: LabeledBox, score: Float) {
        (self.box, self.score) = (box, score)
    }
}
