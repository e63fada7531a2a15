/// The layout an import's files are in, as a client names it (studio-api-related.md); an import that
/// names none has its layout detected (`ImportLayout`).
public enum ImportFormat: String, Sendable, CaseIterable {
    case coco
    case yolo
    case csv
    /// One folder per class (ImageNet's layout), or loose images without classes.
    case folder
}
