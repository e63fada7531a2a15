/// Checks labels against the project's classes and the images' bounds before they are stored,
/// so every stored annotation is drawable and exportable as it is. Package-visible for the fuzzer.
package struct AnnotationValidator {
    package struct ImageBounds {
        let width: Double
        let height: Double

        package init(width: Double, height: Double) {
            self.width = width
            self.height = height
        }
    }

    let classes: [LabelClass]
    let images: [Int: ImageBounds]
    /// With it, a label naming an unknown class adds that class (with the label's type).
    let allowClassCreation: Bool

    package init(classes: [LabelClass], images: [Int: ImageBounds], allowClassCreation: Bool) {
        self.classes = classes
        self.images = images
        self.allowClassCreation = allowClassCreation
    }

    static let maxLabelsPerImage = 10_000
    static let maxPolygonPoints = 10_000

    /// Returns the classes the labels would add (empty unless `allowClassCreation`).
    package func validate(_ documents: [ImageLabels]) throws(LabelingError) -> [LabelClass] {
        var seenImages = Set<Int>()
        var added: [LabelClass] = []
        for document in documents {
            guard let bounds = images[document.imageID] else {
                throw .invalidAnnotation("image \(document.imageID) is not part of this task")
            }
            guard seenImages.insert(document.imageID).inserted else {
                throw .invalidAnnotation("image \(document.imageID) appears more than once")
            }
            guard document.labels.count <= Self.maxLabelsPerImage else {
                throw .invalidAnnotation("more than \(Self.maxLabelsPerImage) labels on image \(document.imageID)")
            }
            for (index, label) in document.labels.enumerated() {
                let place = "label \(index) of image \(document.imageID)"
                try checkClass(label, place: place, added: &added)
                try checkGeometry(label, bounds: bounds, place: place)
                if let confidence = label.confidence, !(0...1).contains(confidence) {
                    throw .invalidAnnotation("\(place): confidence must be between 0 and 1")
                }
            }
        }
        return added
    }

    private func checkClass(_ label: Label, place: String, added: inout [LabelClass]) throws(LabelingError) {
        guard !label.label.isEmpty, label.label.count <= 200 else {
            throw .invalidAnnotation("\(place): label must be 1 to 200 characters")
        }
        if let known = classes.first(where: { $0.name == label.label }) ?? added.first(where: { $0.name == label.label }) {
            guard known.type == label.type else {
                throw .invalidAnnotation("\(place): class '\(label.label)' is a \(known.type.rawValue), not a \(label.type.rawValue)")
            }
            return
        }
        guard allowClassCreation else { throw .invalidAnnotation("\(place): unknown class '\(label.label)'") }
        added.append(LabelClass(name: label.label, type: label.type))
    }

    private func checkGeometry(_ label: Label, bounds: ImageBounds, place: String) throws(LabelingError) {
        let fields = [label.bbox != nil, label.points != nil, label.point != nil].filter { $0 }.count
        func inside(_ x: Double, _ y: Double) -> Bool {
            x.isFinite && y.isFinite && x >= 0 && y >= 0 && x <= bounds.width && y <= bounds.height
        }
        switch label.type {
        case .tag:
            guard fields == 0 else { throw .invalidAnnotation("\(place): a tag has no geometry") }
        case .boundingBox:
            guard fields == 1, let box = label.bbox, box.count == 4 else {
                throw .invalidAnnotation("\(place): a bounding_box needs bbox [x, y, w, h]")
            }
            guard box[2] > 0, box[3] > 0, inside(box[0], box[1]), inside(box[0] + box[2], box[1] + box[3]) else {
                throw .invalidAnnotation("\(place): bbox must have a positive size and lie within the \(Int(bounds.width))x\(Int(bounds.height)) image")
            }
        case .polygon:
            guard fields == 1, let points = label.points, (3...Self.maxPolygonPoints).contains(points.count) else {
                throw .invalidAnnotation("\(place): a polygon needs 3 to \(Self.maxPolygonPoints) points [[x, y], ...]")
            }
            guard points.allSatisfy({ $0.count == 2 && inside($0[0], $0[1]) }) else {
                throw .invalidAnnotation("\(place): polygon points must be [x, y] within the \(Int(bounds.width))x\(Int(bounds.height)) image")
            }
        case .point:
            guard fields == 1, let point = label.point, point.count == 2, inside(point[0], point[1]) else {
                throw .invalidAnnotation("\(place): a point needs point [x, y] within the \(Int(bounds.width))x\(Int(bounds.height)) image")
            }
        }
    }
}
