import Crypto
import Foundation
import Imaging
import Storage

/// What to export: the whole account by default, or one project, or one dataset.
public struct ExportScope: Sendable, Equatable {
    public var projectName: String?
    public var datasetID: Int?

    public init(projectName: String? = nil, datasetID: Int? = nil) {
        self.projectName = projectName
        self.datasetID = datasetID
    }
}

/// A built export archive, stored as a blob.
public struct ExportArchive: Sendable, Equatable {
    public let id: String
    public let blob: BlobID
    public let fileName: String
    public let size: Int
    /// True when an archive built earlier from identical content was handed out again.
    public let reused: Bool
}

/// Builds ZIP archives of images plus their approved labels in a chosen format. An archive is
/// reused for as long as everything it was built from is unchanged: its fingerprint is a hash of
/// the image blobs and of the annotation files, so any change makes a new one.
public struct ExportService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    public let links: DownloadLinks

    public func export(accountID: String, scope: ExportScope, format: ExportFormat) throws -> ExportArchive {
        let (document, blobsByImage) = try database.read { db in try ExportCollector.collect(accountID: accountID, scope: scope, on: db) }
        let files = ExportWriter.files(for: document, format: format)
        let fingerprint = Self.fingerprint(format: format, document: document, blobs: blobsByImage, files: files)
        if let existing = try reusable(accountID: accountID, fingerprint: fingerprint) { return existing }

        let temporary = "\(blobs.temporaryDirectory)/export-\(SecureRandom.hex(bytes: 8)).zip"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let zip = try ZipWriter(path: temporary)
        for image in document.images {
            guard let blob = blobsByImage[image.id] else { continue }
            // JPEG and PNG are compressed already; deflating them again costs time and saves nothing.
            switch try blobs.contents(of: blob) {
            case .file(let path): try zip.add(name: image.archivePath, contentsOf: path, compress: false)
            case .bytes(let bytes): try zip.add(name: image.archivePath, bytes: bytes, compress: false)
            }
        }
        for file in files { try zip.add(name: file.path, bytes: file.bytes, compress: true) }
        try zip.finish()
        let size = Int((try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? NSNumber)?.intValue ?? 0)
        let blob = try blobs.adopt(temporaryFile: temporary)

        let archive = ExportArchive(id: ID.make("export"), blob: blob, fileName: Self.fileName(document.title, format), size: size, reused: false)
        try database.write { db in try ExportStore.save(archive, accountID: accountID, fingerprint: fingerprint, on: db) }
        return archive
    }

    /// The archive for a download link, which carries no account: the signature vouches for it.
    public func archive(id: String) throws -> ExportArchive? {
        try database.read { db in try ExportStore.find(id: id, on: db) }
    }

    private func reusable(accountID: String, fingerprint: String) throws -> ExportArchive? {
        let archive = try database.read { db in try ExportStore.find(accountID: accountID, fingerprint: fingerprint, on: db) }
        guard let archive, blobs.contains(archive.blob) else { return nil }
        return archive
    }

    private static func fingerprint(format: ExportFormat, document: ExportDocument, blobs: [Int: BlobID], files: [ExportFile]) -> String {
        var hasher = SHA256()
        hasher.update(Array("quarry-export-v1\n\(format.rawValue)\n\(document.title)\n".utf8))
        for image in document.images {
            hasher.update(Array("\(image.archivePath)\t\(blobs[image.id]?.hex ?? "")\n".utf8))
        }
        for file in files {
            hasher.update(Array("\(file.path)\t\(file.bytes.count)\n".utf8))
            hasher.update(file.bytes)
        }
        return Hex.encode(hasher.finalize())
    }

    static func fileName(_ title: String, _ format: ExportFormat) -> String {
        let slug = String(title.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(60))
            .split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        return "\(slug.isEmpty ? "export" : slug)-\(format.rawValue).zip"
    }
}
