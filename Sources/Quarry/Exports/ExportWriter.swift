/// One file of an export archive.
public struct ExportFile: Sendable, Equatable {
    /// The path inside the archive: relative, `/`-separated, never climbing out with `..`.
    public let path: String
    public let bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// Writes an export document's labels in one of the export formats. Each writer's doc comment
/// is the specification of its format; all of them export the same labels (see `ExportedLabel`),
/// keep classes and images in document order, and give the same bytes for the same document.
public enum ExportWriter {
    /// The annotation files for `document` in `format`. The caller adds the image files themselves
    /// at each `Image.archivePath`, which must be safe (relative, no `..`); every file path here
    /// derives from those paths and fixed names.
    public static func files(for document: ExportDocument, format: ExportFormat) -> [ExportFile] {
        for image in document.images {
            precondition(ArchivePath.isSafe(image.archivePath), "unsafe archive path \(image.archivePath)")
        }
        switch format {
        case .coco: return COCOWriter.files(for: document)
        case .yolo: return YOLOWriter.files(for: document)
        case .voc: return VOCWriter.files(for: document)
        case .csv: return CSVWriter.files(for: document)
        }
    }
}
