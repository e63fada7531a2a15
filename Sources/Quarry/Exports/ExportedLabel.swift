/// A label as the writers see it: its class resolved to a position in `ExportDocument.classes`
/// and its geometry checked once, here, so that no writer has to cope with a malformed label and
/// every format leaves out the same ones.
///
/// A label is exported when its name is the name of one of the document's classes (the first such
/// class, when names repeat) and its `type` field has well-formed geometry: a tag needs none; a
/// box needs `bbox` of 4 numbers with a width and height of at least 0; a polygon needs at least 3
/// points of 2 numbers each; a point needs `point` of 2 numbers. Every number must be finite and
/// at most 1e9 pixels in magnitude, which keeps areas and sums finite. Other labels are left out.
/// `confidence` is not exported.
struct ExportedLabel: Equatable {
    struct Point: Equatable {
        let x: Double
        let y: Double
    }

    enum Geometry: Equatable {
        case tag
        case box(x: Double, y: Double, width: Double, height: Double)
        case polygon([Point])
        case point(Point)
    }

    let classIndex: Int
    let name: String
    let geometry: Geometry

    init?(_ label: Label, classIndex: [String: Int]) {
        guard let index = classIndex[label.label], let geometry = Self.geometry(of: label) else { return nil }
        self.classIndex = index
        self.name = label.label
        self.geometry = geometry
    }

    private static func geometry(of label: Label) -> Geometry? {
        switch label.type {
        case .tag:
            return .tag
        case .boundingBox:
            guard let box = label.bbox, box.count == 4, box.allSatisfy(isCoordinate), box[2] >= 0, box[3] >= 0
            else { return nil }
            return .box(x: box[0], y: box[1], width: box[2], height: box[3])
        case .polygon:
            guard let points = label.points, points.count >= 3 else { return nil }
            let parsed = points.compactMap(point(from:))
            return parsed.count == points.count ? .polygon(parsed) : nil
        case .point:
            return label.point.flatMap(point(from:)).map(Geometry.point)
        }
    }

    private static func point(from numbers: [Double]) -> Point? {
        guard numbers.count == 2, numbers.allSatisfy(isCoordinate) else { return nil }
        return Point(x: numbers[0], y: numbers[1])
    }

    private static func isCoordinate(_ value: Double) -> Bool {
        value.isFinite && value.magnitude <= 1e9
    }
}

/// The axis-aligned bounds of a polygon, for the formats that need a box around every shape.
struct Bounds: Equatable {
    let minX: Double
    let minY: Double
    let maxX: Double
    let maxY: Double

    var width: Double { maxX - minX }
    var height: Double { maxY - minY }

    init(_ points: [ExportedLabel.Point]) {
        minX = points.map(\.x).min() ?? 0
        minY = points.map(\.y).min() ?? 0
        maxX = points.map(\.x).max() ?? 0
        maxY = points.map(\.y).max() ?? 0
    }
}

extension ExportDocument {
    /// Every image, in document order, with its exportable labels in their given order.
    func exportedImages() -> [(image: Image, labels: [ExportedLabel])] {
        var classIndex: [String: Int] = [:]
        for (index, labelClass) in classes.enumerated() where classIndex[labelClass.name] == nil {
            classIndex[labelClass.name] = index
        }
        return images.map { image in
            (image, image.labels.compactMap { ExportedLabel($0, classIndex: classIndex) })
        }
    }
}
