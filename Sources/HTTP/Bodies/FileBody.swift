import Glibc

/// A file opened when the handler builds the response, so the bytes sent are those of the file the
/// handler checked, even if the path is replaced before the write. The descriptor closes with the value.
public final class FileBody: Sendable {
    public let descriptor: Int32
    public let offset: Int
    public let length: Int

    public enum OpenError: Error {
        case cannotOpen(path: String, errno: Int32)
    }

    /// Opens the whole file at `path` for sending.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OpenError.cannotOpen(path: path, errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw OpenError.cannotOpen(path: path, errno: code)
        }
        descriptor = fd
        offset = 0
        length = Int(info.st_size)
    }

    deinit { close(descriptor) }
}
