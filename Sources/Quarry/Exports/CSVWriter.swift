/// One CSV file, `annotations.csv`, RFC 4180: comma-separated, CRLF line endings, a field quoted
/// when it holds a comma, a quote, CR or LF, with inner quotes doubled; UTF-8 without a BOM.
///
/// The header is `image,width,height,label,type,x,y,w,h,points`, then one row per label in
/// image then label order: `image` is the archive path, `width`/`height` the image size, `label`
/// the class name and `type` the label type (`tag`, `bounding_box`, `polygon`, `point`).
/// - tag: `x`, `y`, `w`, `h` and `points` empty;
/// - box: `x`, `y`, `w`, `h` as labelled, `points` empty;
/// - polygon: `x`, `y`, `w`, `h` the polygon's bounds, `points` every point as `x1 y1;x2 y2;…`;
/// - point: `x`, `y` the point, `w`, `h` and `points` empty.
/// An image without labels gets one row with its path and size and every other field empty, so
/// that every exported image is listed. Numbers are plain decimals.
enum CSVWriter {
    static func files(for document: ExportDocument) -> [ExportFile] {
        var csv = CSVText.record(["image", "width", "height", "label", "type", "x", "y", "w", "h", "points"])
        for (image, labels) in document.exportedImages() {
            let imageFields = [image.archivePath, String(image.width), String(image.height)]
            if labels.isEmpty {
                csv += CSVText.record(imageFields + Array(repeating: "", count: 7))
            }
            for label in labels {
                csv += CSVText.record(imageFields + [label.name] + fields(for: label.geometry))
            }
        }
        return [ExportFile(path: "annotations.csv", bytes: Array(csv.utf8))]
    }

    /// `type, x, y, w, h, points`.
    private static func fields(for geometry: ExportedLabel.Geometry) -> [String] {
        switch geometry {
        case .tag:
            return [LabelType.tag.rawValue, "", "", "", "", ""]
        case let .box(x, y, width, height):
            return [LabelType.boundingBox.rawValue] + [x, y, width, height].map(NumberText.plain) + [""]
        case let .polygon(points):
            let bounds = Bounds(points)
            let text = points.map { NumberText.plain($0.x) + " " + NumberText.plain($0.y) }.joined(separator: ";")
            return [LabelType.polygon.rawValue]
                + [bounds.minX, bounds.minY, bounds.width, bounds.height].map(NumberText.plain) + [text]
        case let .point(point):
            return [LabelType.point.rawValue, NumberText.plain(point.x), NumberText.plain(point.y), "", "", ""]
        }
    }
}
