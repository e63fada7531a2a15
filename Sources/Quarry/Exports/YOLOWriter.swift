/// Ultralytics YOLO detection and segmentation labels.
///
/// - `data.yaml`: `train` and `val` both `images` (Quarry does not split the data), `nc` the
///   number of classes and `names` every class name in class order. Class indices are positions
///   in the document's classes — tag and point classes included — so that an index means the same
///   class in every export of a project.
/// - `labels/<stem>.txt` for every image, including one with nothing to write (an empty file marks
///   a background image): the image's archive path with its leading `images/` directory replaced
///   by `labels/` (other paths are put under `labels/`) and its extension by `.txt`, which is
///   where Ultralytics looks. One line per label, numbers normalized to 0…1 by the image size
///   with 6 decimals:
///   - box: `class cx cy w h`, the box clipped to the image first; a box with nothing inside
///     the image is skipped;
///   - polygon: segment format `class x1 y1 x2 y2 …`, each point clamped to the image;
///   - point: not representable in YOLO detection or segmentation labels, so skipped.
/// - `classification.csv`: tags are not representable in YOLO label files either, so they go here,
///   a header `image,tag` and one row per tag label (the image's archive path and the class
///   name), RFC 4180 quoted. Written only when there are tag labels.
///
/// An image with a zero width or height gets an empty label file: nothing can be normalized by it.
enum YOLOWriter {
    static func files(for document: ExportDocument) -> [ExportFile] {
        var yaml = "train: images\nval: images\nnc: \(document.classes.count)\nnames:"
        yaml += document.classes.isEmpty ? " []\n" : "\n"
        for labelClass in document.classes {
            yaml += "  - " + YAMLText.quoted(labelClass.name) + "\n"
        }
        var files = [ExportFile(path: "data.yaml", bytes: Array(yaml.utf8))]

        var paths = AnnotationPaths()
        var tagRows: [String] = []
        for (image, labels) in document.exportedImages() {
            let path = paths.claim(base: ArchivePath.annotationBase(for: image.archivePath, in: "labels"),
                                   extension: "txt")
            var text = ""
            for label in labels {
                if label.geometry == .tag {
                    tagRows.append(CSVText.record([image.archivePath, label.name]))
                } else if let line = line(for: label, width: image.width, height: image.height) {
                    text += line + "\n"
                }
            }
            files.append(ExportFile(path: path, bytes: Array(text.utf8)))
        }
        if !tagRows.isEmpty {
            let csv = CSVText.record(["image", "tag"]) + tagRows.joined()
            files.append(ExportFile(path: "classification.csv", bytes: Array(csv.utf8)))
        }
        return files
    }

    private static func line(for label: ExportedLabel, width: Int, height: Int) -> String? {
        guard width > 0, height > 0 else { return nil }
        let imageWidth = Double(width), imageHeight = Double(height)
        let values: [Double]
        switch label.geometry {
        case .tag, .point:
            return nil
        case let .box(x, y, boxWidth, boxHeight):
            let minX = clamp(x, imageWidth), maxX = clamp(x + boxWidth, imageWidth)
            let minY = clamp(y, imageHeight), maxY = clamp(y + boxHeight, imageHeight)
            guard maxX > minX, maxY > minY else { return nil }
            values = [(minX + maxX) / 2 / imageWidth, (minY + maxY) / 2 / imageHeight,
                      (maxX - minX) / imageWidth, (maxY - minY) / imageHeight]
        case let .polygon(points):
            values = points.flatMap { [clamp($0.x, imageWidth) / imageWidth, clamp($0.y, imageHeight) / imageHeight] }
        }
        return ([String(label.classIndex)] + values.map { NumberText.fixed($0, places: 6) }).joined(separator: " ")
    }

    private static func clamp(_ value: Double, _ limit: Double) -> Double {
        min(max(value, 0), limit)
    }
}
