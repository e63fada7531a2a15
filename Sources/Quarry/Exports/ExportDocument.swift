/// What an export contains, independent of the file format it is written in: the label classes
/// and, for each image, where its bytes go in the archive, its size and its labels.
public struct ExportDocument: Sendable {
    public struct Image: Sendable {
        public let id: Int
        /// The image's path inside the archive, e.g. `images/17_scan.png`: unique, safe, made by Quarry.
        public let archivePath: String
        public let width: Int
        public let height: Int
        public let datasetID: Int
        public let labels: [Label]

        public init(id: Int, archivePath: String, width: Int, height: Int, datasetID: Int, labels: [Label]) {
            self.id = id
            self.archivePath = archivePath
            self.width = width
            self.height = height
            self.datasetID = datasetID
            self.labels = labels
        }
    }

    public let title: String
    public let classes: [LabelClass]
    public let images: [Image]
    /// ISO 8601, for the formats that record when they were made.
    public let createdAt: String

    public init(title: String, classes: [LabelClass], images: [Image], createdAt: String) {
        self.title = title
        self.classes = classes
        self.images = images
        self.createdAt = createdAt
    }
}

/// The annotation formats an export can be written in.
public enum ExportFormat: String, Sendable, CaseIterable {
    case coco
    case yolo
    case voc
    case csv
}
