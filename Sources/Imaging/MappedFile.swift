import Glibc

/// A file's bytes mapped read-only, so a large upload is verified without copying it into memory:
/// the kernel pages it in as the decoder reads and drops it again under pressure.
enum MappedFile {
    /// The file must not shrink while `body` runs (a page past the new end raises SIGBUS); stored
    /// uploads are immutable, so this holds for them.
    static func withBytes<Result>(ofFile path: String,
                                  _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let fd = try FileIO.open(path, O_RDONLY)
        defer { Glibc.close(fd) }
        let size = try FileIO.size(fd, path: path)
        // mmap refuses a zero length; an empty buffer is what the probe expects for an empty file.
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw FileSystemError(operation: "mmap", path: path, errno: errno)
        }
        defer { munmap(address, size) }
        madvise(address, size, MADV_SEQUENTIAL)
        return try body(UnsafeRawBufferPointer(start: address, count: size))
    }
}
