/// Why `ZipReader` refused an archive or one of its entries. Entry names in these are the
/// archive's own, possibly hostile: quote them, never use them as paths.
public enum ZipReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No end of central directory record, and the file does not start like a ZIP either.
    case notAZip
    /// The file ends before a record or an entry's data does.
    case truncated
    case corrupt(String)
    /// Only stored (0) and deflated (8) entries are read.
    case unsupportedMethod(name: String, method: UInt16)
    case encrypted(name: String)
    /// The name could escape the extraction folder or be read differently by another tool.
    case unsafeName(name: String, reason: String)
    case symlink(name: String)
    case tooManyEntries(limit: Int)
    case entryTooLarge(name: String, limit: Int64)
    case totalTooLarge(limit: Int64)
    /// The entry, or the archive up to and including it, inflates more than the limit allows.
    case compressionRatio(name: String, limit: Int64)
    case crcMismatch(name: String)
    /// Opening, reading or writing a file failed, not the archive's fault.
    case fileSystem(FileSystemError)

    public var description: String {
        switch self {
        case .notAZip: "not a ZIP archive"
        case .truncated: "the ZIP archive is truncated"
        case .corrupt(let detail): "corrupt ZIP archive: \(detail)"
        case .unsupportedMethod(let name, let method):
            "ZIP entry \"\(name)\" uses compression method \(method); only stored and deflated are supported"
        case .encrypted(let name): "ZIP entry \"\(name)\" is encrypted"
        case .unsafeName(let name, let reason): "unsafe ZIP entry name \"\(name)\": \(reason)"
        case .symlink(let name): "ZIP entry \"\(name)\" is a symbolic link"
        case .tooManyEntries(let limit): "the ZIP archive has more than \(limit) entries"
        case .entryTooLarge(let name, let limit): "ZIP entry \"\(name)\" is larger than \(limit) bytes"
        case .totalTooLarge(let limit): "the ZIP archive inflates to more than \(limit) bytes"
        case .compressionRatio(let name, let limit):
            "ZIP entry \"\(name)\" inflates more than \(limit) times its compressed size"
        case .crcMismatch(let name): "ZIP entry \"\(name)\" fails its CRC-32 check"
        case .fileSystem(let error): error.description
        }
    }
}
