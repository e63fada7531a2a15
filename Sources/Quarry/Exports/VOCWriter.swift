import Storage

/// Pascal VOC XML, one annotation file per image, readable with any XML parser.
///
/// - `labelmap.txt`: the class names in class order, one per line (a line break inside a name
///   becomes a space, since a line is a name).
/// - `Annotations/<stem>.xml` for every image: the archive path without its leading `images/`
///   directory and its extension, under `Annotations/`. It holds `folder` (the archive directory
///   of the image, e.g. `images`), `filename` (the image's file name), `size` with `depth` always
///   3, then the labels in order:
///   - tag: `<tag>name</tag>`, a direct child of `<annotation>`. An `<object>` needs a
///     `<bndbox>` in every VOC reader, and a tag has none, so tags are not objects.
///   - box: an `<object>` with `name`, `pose` Unspecified, `truncated` 0, `difficult` 0 and
///     `bndbox`;
///   - polygon: the same, `bndbox` the polygon's bounds, plus the extension element
///     `<polygon><pt><x/><y/></pt>…</polygon>` with the exact points;
///   - point: the same, `bndbox` of zero size at the point rounded to the nearest pixel, plus the
///     extension element `<point><x/><y/></point>` with the exact point.
///
/// `bndbox` values are integers, as VOC readers expect: pixels from the top-left corner (not the
/// 1-based pixels of the original VOC devkit), rounded outward — `xmin`/`ymin` down, `xmax`/`ymax`
/// up — so that the box still contains the whole shape. Polygon and point coordinates are plain
/// decimals. Every text is XML-escaped.
enum VOCWriter {
    static func files(for document: ExportDocument) -> [ExportFile] {
        let labelMap = document.classes.map { labelClass in
            String(labelClass.name.map { $0.isNewline ? " " : $0 }) + "\n"
        }.joined()
        var files = [ExportFile(path: "labelmap.txt", bytes: Array(labelMap.utf8))]
        var paths = AnnotationPaths()
        for (image, labels) in document.exportedImages() {
            let path = paths.claim(base: ArchivePath.annotationBase(for: image.archivePath, in: "Annotations"),
                                   extension: "xml")
            files.append(ExportFile(path: path, bytes: Array(xml(for: image, labels: labels).utf8)))
        }
        return files
    }

    private static func xml(for image: ExportDocument.Image, labels: [ExportedLabel]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotation>\n"
        xml += "\t" + element("folder", ArchivePath.directory(of: image.archivePath)) + "\n"
        xml += "\t" + element("filename", ArchivePath.fileName(of: image.archivePath)) + "\n"
        xml += "\t<size>\n\t\t" + element("width", String(image.width)) + "\n\t\t"
            + element("height", String(image.height)) + "\n\t\t<depth>3</depth>\n\t</size>\n"
        for label in labels {
            switch label.geometry {
            case .tag:
                xml += "\t" + element("tag", label.name) + "\n"
            case let .box(x, y, width, height):
                xml += object(label.name, minX: x, minY: y, maxX: x + width, maxY: y + height, extra: "")
            case let .polygon(points):
                let bounds = Bounds(points)
                let pts = points.map { "<pt>" + coordinates($0) + "</pt>" }.joined()
                xml += object(label.name, minX: bounds.minX, minY: bounds.minY, maxX: bounds.maxX, maxY: bounds.maxY,
                              extra: "\t\t<polygon>" + pts + "</polygon>\n")
            case let .point(point):
                let x = point.x.rounded(), y = point.y.rounded()
                xml += object(label.name, minX: x, minY: y, maxX: x, maxY: y,
                              extra: "\t\t<point>" + coordinates(point) + "</point>\n")
            }
        }
        return xml + "</annotation>\n"
    }

    private static func object(_ name: String, minX: Double, minY: Double, maxX: Double, maxY: Double,
                               extra: String) -> String {
        "\t<object>\n\t\t" + element("name", name)
            + "\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>0</difficult>\n"
            + "\t\t<bndbox>" + element("xmin", integer(minX.rounded(.down)))
            + element("ymin", integer(minY.rounded(.down)))
            + element("xmax", integer(maxX.rounded(.up)))
            + element("ymax", integer(maxY.rounded(.up))) + "</bndbox>\n"
            + extra + "\t</object>\n"
    }

    private static func coordinates(_ point: ExportedLabel.Point) -> String {
        element("x", NumberText.plain(point.x)) + element("y", NumberText.plain(point.y))
    }

    /// Coordinates are at most 1e9 in magnitude (see `ExportedLabel`), well within `Int`.
    private static func integer(_ value: Double) -> String {
        String(Int(value))
    }

    private static func element(_ name: String, _ text: String) -> String {
        "<\(name)>" + XMLText.escape(text) + "</\(name)>"
    }
}
