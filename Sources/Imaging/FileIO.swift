import Glibc

/// The Glibc file calls Imaging makes: each retries EINTR and reports failure as `FileSystemError`.
enum FileIO {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(FileSystemError) -> Int32 {
        Int32(try retrying("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }

    static func size(_ fd: Int32, path: String) throws(FileSystemError) -> Int {
        var info = stat()
        _ = try retrying("fstat", path) { fstat(fd, &info) }
        return Int(info.st_size)
    }

    /// Loops until every byte is written: a regular file may take fewer than asked, at a signal or on a full disk.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64,
                      path: String) throws(FileSystemError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = try retrying("pwrite", path) {
                pwrite(fd, base + done, bytes.count - done, off_t(offset) + off_t(done))
            }
            // Zero for a non-empty request would otherwise spin forever.
            guard written > 0 else { throw FileSystemError(operation: "pwrite", path: path, errno: EIO) }
            done += written
        }
    }

    /// Calls `body` with successive pieces of the file until its end.
    static func readChunks(_ fd: Int32, path: String, chunkSize: Int = 1 << 20,
                           _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try retrying("read", path) { read(fd, buffer.baseAddress, chunkSize) }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    static func truncate(_ fd: Int32, to size: UInt64, path: String) throws(FileSystemError) {
        _ = try retrying("ftruncate", path) { ftruncate(fd, off_t(size)) }
    }

    static func fsync(_ fd: Int32, path: String) throws(FileSystemError) {
        _ = try retrying("fsync", path) { Glibc.fsync(fd) }
    }

    /// Not retried on EINTR: Linux has released the descriptor by then, and closing the number
    /// again could close one another thread has just been given.
    static func close(_ fd: Int32, path: String) throws(FileSystemError) {
        guard Glibc.close(fd) != 0 else { return }
        let code = errno
        if code != EINTR { throw FileSystemError(operation: "close", path: path, errno: code) }
    }

    private static func retrying<Result: BinaryInteger>(_ operation: String, _ path: String,
                                                        _ call: () -> Result) throws(FileSystemError) -> Int {
        while true {
            let result = call()
            if result >= 0 { return Int(result) }
            let code = errno
            if code != EINTR { throw FileSystemError(operation: operation, path: path, errno: code) }
        }
    }
}
