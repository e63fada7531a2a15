import Glibc

/// Streams a ZIP archive to a new file, for dataset exports. Each entry's data is written once, in
/// order, and its local header is patched with the CRC and sizes afterwards, so nothing but the
/// central directory is held in memory. ZIP64 records appear only when a size, offset or the entry
/// count outgrows the classic fields.
///
/// Not thread-safe: one writer belongs to one task. Dropping it before `finish()` closes and removes
/// the partial file.
public final class ZipWriter {
    private let path: String
    /// -1 once finished or abandoned.
    private var fd: Int32
    /// Where the next byte goes. Writes are positioned, so a failed entry can be cut off cleanly.
    private var offset: UInt64 = 0
    private var entries: [ZipEntry] = []
    private var names: Set<String> = []
    private var deflater: Deflater?

    /// Creates `path`, which must not exist: the caller writes to a temporary name and renames the
    /// finished archive into place.
    public init(path: String) throws {
        self.path = path
        fd = try FileIO.open(path, O_WRONLY | O_CREAT | O_EXCL)
    }

    deinit {
        abandon()
    }

    /// Adds `bytes` as the file `name`, a relative path of "/"-separated components (see
    /// `ZipError.unsafeName` for what is refused). `compress: false` stores the bytes as they are,
    /// right for JPEG and PNG, which deflate cannot shrink; true deflates them.
    public func add(name: String, bytes: [UInt8], compress: Bool) throws {
        try bytes.withUnsafeBytes { buffer in
            try addEntry(name: name, size: UInt64(buffer.count), compress: compress) { consume in
                // Deflater takes at most 4 GiB a call; pieces keep every call well under that.
                var start = 0
                repeat {
                    let end = min(start + (1 << 20), buffer.count)
                    try consume(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                    start = end
                } while start < buffer.count
            }
        }
    }

    /// Adds the file at `sourcePath`, read in 1 MiB pieces, so a file of any size costs the same
    /// memory. Throws `ZipError.sourceChanged` if its size changes while it is read.
    public func add(name: String, contentsOf sourcePath: String, compress: Bool) throws {
        let source = try FileIO.open(sourcePath, O_RDONLY)
        defer { Glibc.close(source) }
        let size = UInt64(try FileIO.size(source, path: sourcePath))
        try addEntry(name: name, size: size, compress: compress) { consume in
            var read: UInt64 = 0
            try FileIO.readChunks(source, path: sourcePath) { chunk in
                read += UInt64(chunk.count)
                // More bytes than the header was sized for could overflow its 32-bit fields.
                guard read <= size else { throw ZipError.sourceChanged(path: sourcePath) }
                try consume(chunk)
            }
            guard read == size else { throw ZipError.sourceChanged(path: sourcePath) }
        }
    }

    /// Writes the central directory and end records, fsyncs and closes the file. The archive is
    /// complete when this returns; the caller renames it into place.
    public func finish() throws {
        guard fd >= 0 else { throw ZipError.closed }
        do {
            var directory = [UInt8]()
            for entry in entries { entry.appendCentralHeader(to: &directory) }
            directory += ZipDirectoryEnd.records(entries: entries.count, directoryOffset: offset,
                                                 directorySize: UInt64(directory.count))
            try append(directory)
            try FileIO.fsync(fd, path: path)
        } catch {
            abandon()
            throw error
        }
        let closing = fd
        fd = -1
        do {
            try FileIO.close(closing, path: path)
        } catch {
            Glibc.unlink(path)
            throw error
        }
    }

    /// Writes one entry: the local header, the data as `produce` hands it to `consume`, then the
    /// header again with the CRC and sizes now known. If anything fails, the file is cut back to
    /// where the entry began, leaving the archive as it was and the writer usable.
    private func addEntry(name: String, size: UInt64, compress: Bool,
                          produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard fd >= 0 else { throw ZipError.closed }
        let nameBytes = try ZipEntryName.validate(name)
        guard !names.contains(name) else { throw ZipError.duplicateName(name) }
        let deflater = compress ? try reusableDeflater() : nil
        var entry = ZipEntry(name: nameBytes, method: compress ? ZipEntry.deflated : ZipEntry.stored,
                             offset: offset, zip64Sizes: ZipEntry.needsZip64(size: size, compressed: compress))
        do {
            try append(entry.localHeader)
            let dataStart = offset
            var crc = CRC32()
            try produce { chunk in
                crc.update(chunk)
                entry.size += UInt64(chunk.count)
                if let deflater {
                    try deflater.deflate(chunk, finish: false) { try append($0) }
                } else {
                    try append(chunk)
                }
            }
            try deflater?.deflate(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { try append($0) }
            entry.crc = crc.value
            entry.compressedSize = offset - dataStart
            try entry.localHeader.withUnsafeBytes { try FileIO.write(fd, $0, at: entry.offset, path: path) }
        } catch {
            rollBack(to: entry.offset)
            throw error
        }
        entries.append(entry)
        names.insert(name)
    }

    private func reusableDeflater() throws -> Deflater {
        if let deflater {
            deflater.reset()
            return deflater
        }
        let created = try Deflater()
        deflater = created
        return created
    }

    private func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        try FileIO.write(fd, bytes, at: offset, path: path)
        offset += UInt64(bytes.count)
    }

    private func rollBack(to start: UInt64) {
        do {
            try FileIO.truncate(fd, to: start, path: path)
            offset = start
        } catch {
            // The file's end is unknown now, so no later entry could be placed correctly.
            abandon()
        }
    }

    /// Closes and removes the unfinished file.
    private func abandon() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
        Glibc.unlink(path)
    }
}
