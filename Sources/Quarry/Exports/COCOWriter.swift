/// COCO object-detection JSON, written as `annotations.json`; the default export format. It loads
/// with pycocotools' `COCO(path)`.
///
/// - `info`: `description` is the document title, `date_created` its creation time (ISO 8601).
///   `licenses` is an empty list, for the tools that expect the key.
/// - `images`: `{id, file_name, width, height, tags}` per image in document order; `id` is
///   Quarry's image id and `file_name` the image's path in the archive. COCO has no image-level
///   labels, so tag labels go in `tags`, a list of class names (empty when the image has none), an
///   extra field that COCO tools ignore.
/// - `categories`: one per class in class order, `id` 1-based by position, `name`, and
///   `supercategory` the class's label type (`tag`, `bounding_box`, `polygon`, `point`). Point
///   classes also have `keypoints: [name]` and `skeleton: []`, as COCO keypoint categories do.
///   Tag classes are listed too, so that category ids are the same in every export of a project.
/// - `annotations`: one per box, polygon and point label, `id` 1-based in image then label
///   order, with `image_id`, `category_id`, `iscrowd: 0` and:
///   - box: `bbox` [x, y, w, h] as labelled, `area` w·h, `segmentation` [] — the box is not a
///     mask, and COCO tools read an empty segmentation as "box only";
///   - polygon: `segmentation` [[x1, y1, x2, y2, …]], `bbox` the polygon's bounds, `area` its
///     shoelace area;
///   - point: COCO keypoint style: `keypoints` [x, y, 2] (2 = labelled and visible),
///     `num_keypoints` 1, `bbox` [x, y, 0, 0], `area` 0, `segmentation` [].
///
/// Coordinates are pixels from the image's top-left corner, printed as plain decimals.
enum COCOWriter {
    static func files(for document: ExportDocument) -> [ExportFile] {
        var images: [String] = []
        var annotations: [String] = []
        for (image, labels) in document.exportedImages() {
            let tags = labels.filter { $0.geometry == .tag }.map { JSONText.string($0.name) }
            images.append(object([
                ("id", String(image.id)),
                ("file_name", JSONText.string(image.archivePath)),
                ("width", String(image.width)),
                ("height", String(image.height)),
                ("tags", "[" + tags.joined(separator: ",") + "]"),
            ]))
            for label in labels {
                guard let fields = geometryFields(label.geometry) else { continue }
                annotations.append(object([
                    ("id", String(annotations.count + 1)),
                    ("image_id", String(image.id)),
                    ("category_id", String(label.classIndex + 1)),
                ] + fields + [("iscrowd", "0")]))
            }
        }
        let categories = document.classes.enumerated().map { index, labelClass in
            var fields = [
                ("id", String(index + 1)),
                ("name", JSONText.string(labelClass.name)),
                ("supercategory", JSONText.string(labelClass.type.rawValue)),
            ]
            if labelClass.type == .point {
                fields += [("keypoints", "[" + JSONText.string(labelClass.name) + "]"), ("skeleton", "[]")]
            }
            return object(fields)
        }
        let info = object([
            ("description", JSONText.string(document.title)),
            ("date_created", JSONText.string(document.createdAt)),
        ])
        // One entry per line keeps the file diffable and readable without a JSON viewer.
        let json = "{\n\"info\": " + info + ",\n\"licenses\": [],\n"
            + "\"images\": " + list(images) + ",\n"
            + "\"categories\": " + list(categories) + ",\n"
            + "\"annotations\": " + list(annotations) + "\n}\n"
        return [ExportFile(path: "annotations.json", bytes: Array(json.utf8))]
    }

    /// `bbox`, `area`, `segmentation` and, for points, the keypoint fields; nil for tags.
    private static func geometryFields(_ geometry: ExportedLabel.Geometry) -> [(String, String)]? {
        switch geometry {
        case .tag:
            return nil
        case let .box(x, y, width, height):
            return [("bbox", numbers([x, y, width, height])), ("area", NumberText.plain(width * height)),
                    ("segmentation", "[]")]
        case let .polygon(points):
            let bounds = Bounds(points)
            return [("bbox", numbers([bounds.minX, bounds.minY, bounds.width, bounds.height])),
                    ("area", NumberText.plain(shoelaceArea(points))),
                    ("segmentation", "[" + numbers(points.flatMap { [$0.x, $0.y] }) + "]")]
        case let .point(point):
            return [("bbox", numbers([point.x, point.y, 0, 0])), ("area", "0"), ("segmentation", "[]"),
                    ("keypoints", numbers([point.x, point.y, 2])), ("num_keypoints", "1")]
        }
    }

    /// The area a simple polygon encloses, whichever way round its points go.
    static func shoelaceArea(_ points: [ExportedLabel.Point]) -> Double {
        var twiceArea = 0.0
        for (index, point) in points.enumerated() {
            let next = points[(index + 1) % points.count]
            twiceArea += point.x * next.y - next.x * point.y
        }
        return abs(twiceArea) / 2
    }

    private static func numbers(_ values: [Double]) -> String {
        "[" + values.map(NumberText.plain).joined(separator: ",") + "]"
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n]"
    }
}
