/// What a run trains on, recorded when it starts: `snapshot` names the exact examples (SHA-256 over
/// each image's blob and size and its labels, in image order), the same whenever the same labels are
/// loaded again; the counts are the images of the train and validation subsets, and for a detector what
/// loading the boxes found (`ShapeData.Report`: clipped, skipped, left out as of another class).
public struct RunData: Sendable, Equatable, Codable {
    public let snapshot: String
    public let trainImages: Int
    public let validationImages: Int
    public let shapes: ShapeData.Report?

    private enum CodingKeys: String, CodingKey {
        case snapshot, trainImages = "train_images", validationImages = "val_images", shapes
    }
}
