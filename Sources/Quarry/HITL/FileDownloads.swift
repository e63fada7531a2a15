import Foundation
import Imaging
import Storage

/// Downloads user-given URLs into the blob store, checking the extension before fetching and the
/// bytes after (images in full, while still a spooled file). Each failure names the URL and the
/// reason, for a 400.
struct FileDownloads: Sendable {
    let fetcher: Fetcher
    let blobs: any BlobStore
    let imageLimits: ImageLimits

    struct Stored: Sendable {
        let blob: BlobID
        let kind: FileKind
        let fileName: String
        let size: Int
        let url: String
        /// What the image's header says, for PNG and JPEG files; nil for other kinds.
        let image: ImageInfo?
    }

    func fetch(_ url: String, allowed: [FileKind]) throws -> Stored {
        guard let kind = FileKind.expected(from: url, allowed: allowed) else {
            throw HITLError.badFile(url: url, reason: "the file name must end in one of: \(FileKind.extensionsText(allowed))")
        }
        let fetched: FetchedFile
        do {
            fetched = try fetcher.download(url, into: blobs.temporaryDirectory)
        } catch {
            throw HITLError.badFile(url: url, reason: error.description)
        }
        do {
            let prefix = try Self.prefix(of: fetched.path, count: 16)
            guard kind.matches(prefix: prefix) else {
                throw HITLError.badFile(url: url, reason: "the content is not a \(kind.rawValue.uppercased()) file")
            }
            let image = kind == .png || kind == .jpeg ? try verifiedImage(at: fetched.path, url: url) : nil
            let name = URLComponents(string: url).map { ($0.path as NSString).lastPathComponent } ?? "file"
            let blob = try blobs.adopt(temporaryFile: fetched.path)
            return Stored(blob: blob, kind: kind, fileName: String(name.prefix(200)), size: fetched.size, url: url, image: image)
        } catch {
            try? FileManager.default.removeItem(atPath: fetched.path)
            throw error
        }
    }

    private func verifiedImage(at path: String, url: String) throws -> ImageInfo {
        do {
            return try ImageProbe.verify(fileAt: path, limits: imageLimits)
        } catch {
            throw HITLError.badFile(url: url, reason: "the image is not valid: \(error)")
        }
    }

    private static func prefix(of path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: count) ?? Data())
    }
}
