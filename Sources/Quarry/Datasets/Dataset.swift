import Imaging
import Storage

/// A named set of images inside a project (JTheta addresses it by a numeric id).
public struct Dataset: Sendable, Equatable {
    public let id: Int
    public let projectID: String
    public let name: String
    public let license: String
    public let createdAt: String
    public var imageCount: Int
}

/// One stored image: the bytes are a blob; the rest is what its header said and what the uploader named it.
public struct ImageRecord: Sendable, Equatable {
    public let id: Int
    public let datasetID: Int
    public let blob: BlobID
    public let fileName: String
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    public let size: Int
    public let createdAt: String
}

/// A file as an upload delivered it, before it is checked: in memory or in a spooled temp file.
public struct IncomingFile: Sendable {
    public enum Source: Sendable {
        case bytes([UInt8])
        /// A file in the blob store's temporary directory, adopted into the store without a copy.
        case spooled(path: String)
    }

    public let fileName: String
    public let source: Source

    public init(fileName: String, source: Source) {
        self.fileName = fileName
        self.source = source
    }
}

public enum DatasetError: Error, Equatable, Sendable {
    case notFound(Int)
    case imageNotFound(String)
    /// Several images of the project have this original name; the Studio filenames that tell them apart.
    case ambiguousImage(String, candidates: [String])
    case nameTaken(String)
    case noImages
    case tooManyImages(limit: Int)
    /// The file is not a PNG or JPEG, is corrupt, or is too large; nothing of its request was stored.
    case invalidImage(fileName: String, reason: String)
}
