import Foundation
import Learn
import Storage

/// The weights files of the server's folder (`QUARRY_WEIGHTS_DIR`), read once when the services open:
/// every `*.safetensors`, `*.pth`, `*.pt` and `*.onnx` directly in it, each named by its file name less
/// the extension. A file that cannot be read, is too large, or whose name is not a weights name or is
/// taken by another file is logged and left out; the server starts all the same.
struct WeightsFolder: Sendable {
    struct Entry: Sendable {
        let file: WeightsFile
        let path: String
    }

    struct Skipped: Sendable, Equatable {
        let fileName: String
        let reason: String
    }

    static let extensions: Set<String> = ["safetensors", "pth", "pt", "onnx"]

    /// By name.
    let entries: [Entry]
    let skipped: [Skipped]

    /// No folder: no files.
    init(path: String?, maxBytes: Int) {
        guard let path else {
            (entries, skipped) = ([], [])
            return
        }
        var (entries, skipped) = ([String: Entry](), [Skipped]())
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            Self.warn("the weights folder \(path) cannot be read: \(error.localizedDescription)")
            names = []
        }
        func skip(_ fileName: String, _ reason: String) {
            skipped.append(Skipped(fileName: fileName, reason: reason))
            Self.warn("the weights folder's \(fileName) is left out: \(reason)")
        }
        for fileName in names where Self.extensions.contains(URL(fileURLWithPath: fileName).pathExtension.lowercased()) {
            let name = URL(fileURLWithPath: fileName).deletingPathExtension().lastPathComponent
            let filePath = "\(path)/\(fileName)"
            guard WeightsFile.isValidName(name) else {
                skip(fileName, "'\(name)' is not a weights name (\(WeightsFileError.nameRule))")
                continue
            }
            if let other = entries[name] {
                skip(fileName, "\(URL(fileURLWithPath: other.path).lastPathComponent) is named '\(name)' already")
                continue
            }
            do {
                entries[name] = Entry(file: try Self.file(name: name, at: filePath, maxBytes: maxBytes), path: filePath)
            } catch {
                skip(fileName, "\(error)")
            }
        }
        self.entries = entries.values.sorted { $0.file.name < $1.file.name }
        self.skipped = skipped
    }

    func entry(named name: String) -> Entry? { entries.first { $0.file.name == name } }

    /// The tensors of `entry`, read again: the folder keeps only what it lists, not megabytes of values
    /// per file. A file changed since it was listed is refused rather than loaded under the old digest.
    func tensors(of entry: Entry, maxBytes: Int) throws -> NamedTensors {
        let loaded = try LoadedWeights.read(path: entry.path, maxBytes: maxBytes)
        guard loaded.sha256 == entry.file.sha256 else {
            throw WeightsFileError.unreadable("the weights folder's file for '\(entry.file.name)' changed since the server started; restart it to read the file again")
        }
        return loaded.tensors
    }

    private static func file(name: String, at path: String, maxBytes: Int) throws -> WeightsFile {
        let loaded = try LoadedWeights.read(path: path, maxBytes: maxBytes)
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date ?? Date()
        return WeightsFile(name: name, format: loaded.format, fit: loaded.fit, tensorCount: loaded.tensors.count,
                           parameterCount: loaded.tensors.parameterCount, sha256: loaded.sha256, byteCount: loaded.byteCount,
                           source: .folder, createdAt: Timestamp.format(modified))
    }

    private static func warn(_ line: String) {
        FileHandle.standardError.write(Data("warning: \(line)\n".utf8))
    }
}
