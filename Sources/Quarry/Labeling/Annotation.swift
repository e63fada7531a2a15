/// The kinds of label a project's classes can have.
public enum LabelType: String, Sendable, Codable, CaseIterable {
    /// A class for the whole image (classification).
    case tag
    case boundingBox = "bounding_box"
    case polygon
    case point
}

/// A label class of a project: a name and the one kind of geometry it is drawn with.
public struct LabelClass: Sendable, Equatable, Codable {
    public let name: String
    public let type: LabelType

    public init(name: String, type: LabelType) {
        self.name = name
        self.type = type
    }
}

/// One label on one image, in the one canonical shape every API reads and writes. Coordinates
/// are pixels from the image's top-left corner; exactly the field for `type` is present:
///
///     {"label": "cat", "type": "tag"}
///     {"label": "car", "type": "bounding_box", "bbox": [x, y, w, h]}
///     {"label": "lake", "type": "polygon", "points": [[x, y], [x, y], [x, y]]}
///     {"label": "eye", "type": "point", "point": [x, y]}
///
/// Predictions use the same shape with a `confidence` in 0...1.
public struct Label: Sendable, Equatable, Codable {
    public var label: String
    public var type: LabelType
    public var bbox: [Double]?
    public var points: [[Double]]?
    public var point: [Double]?
    public var confidence: Double?

    public init(label: String, type: LabelType, bbox: [Double]? = nil, points: [[Double]]? = nil,
                point: [Double]? = nil, confidence: Double? = nil) {
        self.label = label
        self.type = type
        self.bbox = bbox
        self.points = points
        self.point = point
        self.confidence = confidence
    }

    public static func tag(_ label: String) -> Label { Label(label: label, type: .tag) }

    public static func box(_ label: String, x: Double, y: Double, width: Double, height: Double, confidence: Double? = nil) -> Label {
        Label(label: label, type: .boundingBox, bbox: [x, y, width, height], confidence: confidence)
    }

    public static func polygon(_ label: String, _ points: [[Double]], confidence: Double? = nil) -> Label {
        Label(label: label, type: .polygon, points: points, confidence: confidence)
    }

    public static func point(_ label: String, x: Double, y: Double) -> Label {
        Label(label: label, type: .point, point: [x, y])
    }
}

/// The labels of one image of a task, written `{"image_id": …, "labels": […]}` alike in task rows and in
/// the APIs' bodies.
public struct ImageLabels: Sendable, Equatable, Codable {
    private enum CodingKeys: String, CodingKey {
        case imageID = "image_id", labels
    }

    public var imageID: Int
    public var labels: [Label]

    public init(imageID: Int, labels: [Label]) {
        self.imageID = imageID
        self.labels = labels
    }
}
