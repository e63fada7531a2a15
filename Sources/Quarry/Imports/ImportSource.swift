import Foundation
import Imaging

/// Where an import's files come from: entries of a ZIP, or files of a folder. `ImportLayout` then
/// decides which are images and what labels they carry.
enum ImportSource {
    struct File: Sendable {
        let name: String
        let read: @Sendable () throws -> [UInt8]
    }

    struct Candidate: Sendable {
        let name: String
        let className: String?
        let read: @Sendable () throws -> [UInt8]
        /// Labels a COCO or YOLO label file gives the image, in pixels once its size is known.
        var labels: @Sendable (ImageInfo) -> [Label] = { _ in [] }
    }

    /// Files larger than this are skipped: no single training image needs more.
    static let maxFileBytes = 64 << 20

    static func zip(_ reader: ZipReader, format: ImportFormat?) throws -> (candidates: [Candidate], skipped: [ImportJob.Skipped]) {
        var files: [(index: Int, name: String)] = []
        var skipped: [ImportJob.Skipped] = []
        for (index, entry) in reader.entries.enumerated() where !entry.isDirectory {
            if entry.uncompressedSize > maxFileBytes {
                skipped.append(.init(name: entry.name, reason: "larger than \(maxFileBytes >> 20) MiB"))
            } else {
                files.append((index, entry.name))
            }
        }
        let found = files.map { file in
            File(name: file.name) {
                do throws(ZipReadError) { return try reader.data(of: file.index) } catch { throw ImportError.invalidArchive(error.description) }
            }
        }
        let (candidates, unreadable) = try ImportLayout.candidates(found, format: format)
        return (candidates, skipped + unreadable)
    }

    /// Every regular file below `folder` (already checked to be inside the import root). Links are
    /// not followed: a link could point outside the root.
    static func folder(_ folder: String, format: ImportFormat?) throws -> (candidates: [Candidate], skipped: [ImportJob.Skipped]) {
        var names: [String] = []
        var skipped: [ImportJob.Skipped] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            var info = stat()
            guard lstat("\(folder)/\(name)", &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG where Int(info.st_size) > maxFileBytes:
                skipped.append(.init(name: name, reason: "larger than \(maxFileBytes >> 20) MiB"))
            case S_IFREG: names.append(name)
            case S_IFLNK: skipped.append(.init(name: name, reason: "a symbolic link (not followed)"))
            default: continue
            }
        }
        names.sort()
        let found = names.map { name in
            File(name: name) { [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)"))) }
        }
        let (candidates, unreadable) = try ImportLayout.candidates(found, format: format)
        return (candidates, skipped + unreadable)
    }
}
