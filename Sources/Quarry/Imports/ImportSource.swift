import Foundation
import Imaging

/// Where an import's files come from: entries of a ZIP, or files of a folder. Each candidate has the
/// path shown in reports and the class its folder names (ImageNet layout: `class/file.jpg`).
enum ImportSource {
    struct Candidate: Sendable {
        let name: String
        let className: String?
        let read: @Sendable () throws -> [UInt8]
    }

    /// Files larger than this are skipped: no single training image needs more.
    static let maxFileBytes = 64 << 20

    static func zip(_ reader: ZipReader) -> (candidates: [Candidate], skipped: [ImportJob.Skipped]) {
        var files: [(index: Int, name: String)] = []
        var skipped: [ImportJob.Skipped] = []
        for (index, entry) in reader.entries.enumerated() where !entry.isDirectory {
            if entry.uncompressedSize > maxFileBytes {
                skipped.append(.init(name: entry.name, reason: "larger than \(maxFileBytes >> 20) MiB"))
            } else {
                files.append((index, entry.name))
            }
        }
        let classes = classNames(files.map(\.name))
        let candidates = files.map { file in
            Candidate(name: file.name, className: classes[file.name] ?? nil) {
                do throws(ZipReadError) { return try reader.data(of: file.index) } catch { throw ImportError.invalidArchive(error.description) }
            }
        }
        return (candidates, skipped)
    }

    /// Every regular file below `folder` (already checked to be inside the import root). Links are
    /// not followed: a link could point outside the root.
    static func folder(_ folder: String) -> (candidates: [Candidate], skipped: [ImportJob.Skipped]) {
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
        let classes = classNames(names)
        let candidates = names.map { name in
            Candidate(name: name, className: classes[name] ?? nil) {
                [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)")))
            }
        }
        return (candidates, skipped)
    }

    /// The class of each file: the folder just below the import's top. A single folder wrapping
    /// everything (a ZIP of `dataset/cat/1.jpg`) is not a class and is looked through.
    static func classNames(_ names: [String]) -> [String: String?] {
        let parts = names.map { $0.split(separator: "/").map(String.init) }
        var depth = 0
        while let first = parts.first, first.count > depth + 1,
              parts.allSatisfy({ $0.count > depth + 1 && $0[depth] == first[depth] }) {
            depth += 1
        }
        var classes: [String: String?] = [:]
        for (name, components) in Swift.zip(names, parts) {
            classes[name] = components.count > depth + 1 ? components[depth] : nil
        }
        return classes
    }
}
