import Foundation
import Imaging
import Storage

/// An image that passed every check and sits in the blob store, not yet referenced by a row.
struct StoredImage: Sendable {
    let blob: BlobID
    let fileName: String
    let info: ImageInfo
    let size: Int
}

/// Turns uploaded files into stored images: every file is decoded in full first (so a bad file
/// fails the whole request before anything is written), then each goes into the blob store.
/// Blobs written for a request whose transaction then fails are unreferenced, and the blob
/// collector removes them after its grace period.
struct ImageIntake {
    let blobs: any BlobStore
    let limits: ImageLimits

    static let maxImagesPerRequest = 10_000

    func store(_ files: [IncomingFile]) throws -> [StoredImage] {
        guard !files.isEmpty else { throw DatasetError.noImages }
        guard files.count <= Self.maxImagesPerRequest else { throw DatasetError.tooManyImages(limit: Self.maxImagesPerRequest) }
        let checked = try files.map { file in (file, try verify(file)) }
        return try checked.map { file, info in
            let blob: BlobID
            let size: Int
            switch file.source {
            case .bytes(let bytes):
                blob = try blobs.put(bytes)
                size = bytes.count
            case .spooled(let path):
                size = Int((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
                blob = try blobs.adopt(temporaryFile: path)
            }
            return StoredImage(blob: blob, fileName: Self.displayName(file.fileName, format: info.format), info: info, size: size)
        }
    }

    private func verify(_ file: IncomingFile) throws -> ImageInfo {
        do {
            switch file.source {
            case .bytes(let bytes): return try ImageProbe.verify(bytes, limits: limits)
            case .spooled(let path): return try ImageProbe.verify(fileAt: path, limits: limits)
            }
        } catch let error as ImageError {
            throw DatasetError.invalidImage(fileName: Self.displayName(file.fileName, format: nil), reason: error.description)
        }
    }

    /// The uploader's name reduced to a safe display name: last path component only (either slash),
    /// no control characters, at most 200 characters. It is shown and exported, never used as a path.
    static func displayName(_ given: String, format: ImageFormat?) -> String {
        let last = given.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.properties.generalCategory != .control && $0 != "\u{7f}" }.prefix(200))
        if clean.isEmpty || clean == "." || clean == ".." {
            return "image" + (format.map { ".\($0.fileExtension)" } ?? "")
        }
        return clean
    }
}
