import Glibc

/// The Glibc calls behind the durable paths: each retries EINTR and reports failure as
/// `StorageError.io` naming the call and the path.
enum FileSystem {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        try Int32(retrying("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }

    /// Loops until every byte is written: a regular file may take fewer than asked, at a signal or on a full disk.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = try retrying("write", path) { Glibc.write(fd, base + offset, bytes.count - offset) }
            // Zero for a non-empty request would otherwise spin forever.
            guard written > 0 else { throw StorageError.io(operation: "write", path: path, errno: EIO) }
            offset += written
        }
    }

    /// Calls `body` with successive pieces of the file until its end.
    static func readChunks(_ fd: Int32, path: String, chunkSize: Int = 1 << 20,
                           _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try retrying("read", path) { Glibc.read(fd, buffer.baseAddress, chunkSize) }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The whole file when it holds at most `limit` bytes; nil, with the file offset back at the
    /// start, when it holds more. Reads rather than trusting a size from fstat, which a writer
    /// still appending would make wrong.
    static func read(_ fd: Int32, path: String, atMost limit: Int) throws -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count <= limit {
            let read = try bytes.withUnsafeMutableBytes { buffer in
                try retrying("read", path) { Glibc.read(fd, buffer.baseAddress! + count, limit + 1 - count) }
            }
            if read == 0 {
                bytes.removeLast(limit + 1 - count)
                return bytes
            }
            count += read
        }
        _ = try retrying("lseek", path) { lseek(fd, 0, SEEK_SET) }
        return nil
    }

    static func fsync(_ fd: Int32, path: String) throws {
        _ = try retrying("fsync", path) { Glibc.fsync(fd) }
    }

    /// Not retried on EINTR: Linux has released the descriptor by then, and closing the number
    /// again could close one another thread has just been given.
    static func close(_ fd: Int32, path: String) throws {
        guard Glibc.close(fd) != 0 else { return }
        let code = errno
        if code != EINTR { throw StorageError.io(operation: "close", path: path, errno: code) }
    }

    static func rename(_ source: String, to target: String) throws {
        _ = try retrying("rename", "\(source) -> \(target)") { Glibc.rename(source, target) }
    }

    static func unlink(_ path: String) throws {
        _ = try retrying("unlink", path) { Glibc.unlink(path) }
    }

    static func lstat(_ path: String) throws -> stat {
        var info = stat()
        _ = try retrying("lstat", path) { Glibc.lstat(path, &info) }
        return info
    }

    /// Sets the modification time to now.
    static func touch(_ path: String) throws {
        _ = try retrying("utimensat", path) { utimensat(AT_FDCWD, path, nil, 0) }
    }

    /// Creates `path` (which must not exist), lets `body` fill it, then fsyncs and closes it.
    /// On any error the file is closed and removed, so nothing half-written is left behind.
    static func createDurably(_ path: String, _ body: (Int32) throws -> Void) throws {
        let fd = try open(path, O_WRONLY | O_CREAT | O_EXCL)
        do {
            try body(fd)
            try fsync(fd, path: path)
        } catch {
            Glibc.close(fd)
            Glibc.unlink(path)
            throw error
        }
        do {
            try close(fd, path: path)
        } catch {
            Glibc.unlink(path)
            throw error
        }
    }

    /// Creates `path` and any missing parents. Each new directory's entry is fsynced in its parent:
    /// otherwise a file renamed into it could vanish with the directory at a power loss. With
    /// `durably: false` the caller flushes the whole filesystem afterwards instead (BlobBatch).
    static func makeDirectories(_ path: String, durably: Bool = true) throws {
        if Glibc.mkdir(path, 0o755) == 0 {
            if durably { try AtomicFile.fsyncDirectory(parent(of: path)) }
            return
        }
        switch errno {
        case EEXIST:
            return
        case ENOENT where parent(of: path) != path:
            try makeDirectories(parent(of: path), durably: durably)
            try makeDirectories(path, durably: durably)
        case let code:
            throw StorageError.io(operation: "mkdir", path: path, errno: code)
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Time since the epoch, on the clock that file modification times are read against.
    static func now() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return duration(now)
    }

    static func duration(_ time: timespec) -> Duration {
        .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    /// A time from `now()` as a number a database can store and compare.
    static func nanoseconds(_ time: Duration) -> Int64 {
        let (seconds, attoseconds) = time.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func retrying<Result: BinaryInteger>(_ operation: String, _ path: String,
                                                        _ call: () -> Result) throws -> Int {
        while true {
            let result = call()
            if result >= 0 { return Int(result) }
            let code = errno
            if code != EINTR { throw StorageError.io(operation: operation, path: path, errno: code) }
        }
    }
}
