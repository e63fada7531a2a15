public enum ZipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The entry name could escape the extraction folder or be read differently by some unzipper.
    case unsafeName(String, reason: String)
    case duplicateName(String)
    /// `finish()` has run, or a write failed in a way that could not be undone.
    case closed
    /// A file being added changed size while it was read.
    case sourceChanged(path: String)
    /// zlib's own status code; it fails only when out of memory.
    case deflate(status: Int32)

    public var description: String {
        switch self {
        case .unsafeName(let name, let reason):
            "unsafe ZIP entry name \"\(name)\": \(reason)"
        case .duplicateName(let name):
            "duplicate ZIP entry name \"\(name)\""
        case .closed:
            "the ZIP archive is finished or was abandoned after a failed write"
        case .sourceChanged(let path):
            "\(path) changed size while it was added to a ZIP archive"
        case .deflate(let status):
            "zlib deflate failed with status \(status)"
        }
    }
}
