import Glibc

extension ZipReader {
    /// The bytes of the entry at `index` in `entries`, inflated in pieces and held to the declared
    /// size as they come, so memory never exceeds what `entries` shows; a directory's are empty.
    /// For entries small enough to hold; larger ones go to a file with `extract(_:to:)`.
    public func data(of index: Int) throws(ZipReadError) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(entries[index].uncompressedSize))
        try stream(index) { (piece) throws(ZipReadError) in bytes.append(contentsOf: piece) }
        return bytes
    }

    /// Streams the entry at `index` into a new file at `path`, which must not exist, readable by
    /// this user only. The file is removed if the entry fails any check. It is not fsynced: the
    /// caller decides whether the extracted files are worth that before it records them.
    public func extract(_ index: Int, to path: String) throws(ZipReadError) {
        let fd: Int32
        do {
            fd = try FileIO.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        } catch {
            throw .fileSystem(error)
        }
        var offset: UInt64 = 0
        do throws(ZipReadError) {
            try stream(index) { (piece) throws(ZipReadError) in
                do throws(FileSystemError) {
                    try FileIO.write(fd, piece, at: offset, path: path)
                } catch {
                    throw .fileSystem(error)
                }
                offset += UInt64(piece.count)
            }
        } catch {
            Glibc.close(fd)
            Glibc.unlink(path)
            throw error
        }
        do {
            try FileIO.close(fd, path: path)
        } catch {
            Glibc.unlink(path)
            throw .fileSystem(error)
        }
    }

    /// Passes the entry's bytes to `sink` in pieces of at most 256 KiB. The output is counted as it
    /// comes, so an entry whose directory understates its size fails on the first piece past it,
    /// and the CRC-32 is checked once the data has all passed.
    private func stream(_ index: Int, _ sink: (UnsafeRawBufferPointer) throws(ZipReadError) -> Void) throws(ZipReadError) {
        let record = records[index]
        let info = record.info
        let start = try dataStart(of: record)
        guard info.compressedSize <= record.dataLimit - start else {
            throw .corrupt("\"\(info.name)\" overlaps the entry after it")
        }
        var crc = CRC32()
        var produced: Int64 = 0
        func emit(_ piece: UnsafeRawBufferPointer) throws(ZipReadError) {
            produced += Int64(piece.count)
            guard produced <= info.uncompressedSize else {
                throw .corrupt("\"\(info.name)\" inflates past its declared size")
            }
            crc.update(piece)
            try sink(piece)
        }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { input.deallocate() }
        let inflater = info.method == ZipEntry.deflated ? Inflater() : nil
        var streamEnded = false
        var position = start
        let end = start + info.compressedSize
        while position < end {
            let piece = UnsafeMutableRawBufferPointer(rebasing: input[..<Int(min(Int64(input.count), end - position))])
            try file.read(into: piece, at: position)
            position += Int64(piece.count)
            guard let inflater else {
                try emit(UnsafeRawBufferPointer(piece))
                continue
            }
            if let unused = try inflater.inflate(UnsafeRawBufferPointer(piece), name: info.name, emit) {
                // Bytes the inflater never reads could be anything, and another tool might read them.
                guard unused == 0, position == end else {
                    throw .corrupt("\"\(info.name)\" has data after its deflate stream ends")
                }
                streamEnded = true
            }
        }
        guard inflater == nil || streamEnded else { throw .corrupt("\"\(info.name)\" has its deflate stream cut short") }
        guard produced == info.uncompressedSize else {
            throw .corrupt("\"\(info.name)\" holds fewer bytes than its declared size")
        }
        guard crc.value == info.crc32 else { throw .crcMismatch(name: info.name) }
    }

    /// Where the entry's data begins, after its local header (APPNOTE 4.3.7), whose name and extra
    /// field may differ in length from the central ones. A local header that names another file or
    /// another method is how an archive shows streaming unzippers something else than the directory.
    private func dataStart(of record: ZipDirectoryEntry) throws(ZipReadError) -> Int64 {
        let name = record.info.name
        let header = try file.bytes(at: record.headerOffset, count: 30)
        guard header.littleEndian(at: 0, as: UInt32.self) == 0x0403_4B50 else {
            throw .corrupt("\"\(name)\" has no local header where the directory points")
        }
        guard header.littleEndian(at: 8, as: UInt16.self) == record.info.method,
              header.littleEndian(at: 6, as: UInt16.self) & 0x41 == 0 else {
            throw .corrupt("the local header of \"\(name)\" disagrees with the central directory")
        }
        let nameLength = Int64(header.littleEndian(at: 26, as: UInt16.self))
        let start = record.headerOffset + 30 + nameLength + Int64(header.littleEndian(at: 28, as: UInt16.self))
        guard start <= record.dataLimit else { throw .corrupt("\"\(name)\" overlaps the entry after it") }
        guard try file.bytes(at: record.headerOffset + 30, count: Int(nameLength)) == record.nameBytes else {
            throw .corrupt("the local header of \"\(name)\" names another file")
        }
        return start
    }
}
