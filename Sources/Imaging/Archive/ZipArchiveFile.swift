import Glibc

/// An archive being read, by positioned reads: nothing of it is held in memory but what is being
/// parsed or inflated, a file that shrinks underneath reads as truncated rather than faulting as a
/// mapping would, and several entries can be extracted at once through the one descriptor.
final class ZipArchiveFile: Sendable {
    let path: String
    let size: Int64
    private let fd: Int32

    init(path: String) throws(ZipReadError) {
        self.path = path
        do {
            fd = try FileIO.open(path, O_RDONLY)
        } catch {
            throw .fileSystem(error)
        }
        do {
            size = Int64(try FileIO.size(fd, path: path))
        } catch {
            Glibc.close(fd)
            throw .fileSystem(error)
        }
    }

    deinit {
        Glibc.close(fd)
    }

    /// Fills `buffer` from `offset`; `truncated` when the file ends first.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(ZipReadError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let count = pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if count > 0 {
                done += count
            } else if count == 0 {
                throw .truncated
            } else {
                let code = errno
                if code != EINTR { throw .fileSystem(FileSystemError(operation: "pread", path: path, errno: code)) }
            }
        }
    }

    func bytes(at offset: Int64, count: Int) throws(ZipReadError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        try read(into: buffer, at: offset)
        return Array(buffer)
    }
}

extension Collection<UInt8> where Index == Int {
    /// The little-endian field `offset` bytes into a record whose length the caller has checked.
    func littleEndian<Value: FixedWidthInteger>(at offset: Int, as: Value.Type = Value.self) -> Value {
        var value = Value.zero
        for byte in 0..<MemoryLayout<Value>.size {
            value |= Value(self[startIndex + offset + byte]) << (8 * byte)
        }
        return value
    }
}
