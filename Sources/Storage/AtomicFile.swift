import Crypto
import Glibc

/// Replaces whole files so that a crash or power loss at any moment leaves either the old content
/// or the new, never a mix or a torn write.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file beside `path` (the same directory, so the same filesystem),
    /// fsyncs and closes it, renames it over `path`, then fsyncs the directory so the rename itself
    /// is durable. The temporary file is removed on any error. A new file gets mode 0644 less the umask.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = FileSystem.parent(of: path)
        let temporary = "\(directory)/.\(FileSystem.name(of: path)).\(SecureRandom.hex(bytes: 8)).tmp"
        try FileSystem.createDurably(temporary) { fd in
            try bytes.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: temporary) }
        }
        do {
            try FileSystem.rename(temporary, to: path)
        } catch {
            Glibc.unlink(temporary)
            throw error
        }
        try fsyncDirectory(directory)
    }

    /// Makes the directory's entries durable: a created, renamed or removed name within it.
    public static func fsyncDirectory(_ path: String) throws {
        let fd = try FileSystem.open(path, O_RDONLY | O_DIRECTORY)
        do {
            try FileSystem.fsync(fd, path: path)
        } catch {
            Glibc.close(fd)
            throw error
        }
        try FileSystem.close(fd, path: path)
    }
}
