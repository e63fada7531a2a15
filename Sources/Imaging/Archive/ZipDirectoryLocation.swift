/// Where the central directory lies, from the end of central directory record (APPNOTE 4.3.16) and,
/// when a locator (4.3.15) precedes it, the ZIP64 end record (4.3.14) the locator points to.
struct ZipDirectoryLocation {
    let entryCount: UInt64
    let offset: Int64
    let size: Int64

    private static let endSignature: UInt32 = 0x0605_4B50
    private static let locatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let endLength = 22
    private static let maxCommentLength = 0xFFFF

    init(file: ZipArchiveFile) throws(ZipReadError) {
        let endOffset = try Self.findEndRecord(file)
        let end = try file.bytes(at: endOffset, count: Self.endLength)
        // Disk numbers other than 0 mean a spanned archive, of which this file is one part.
        guard end.littleEndian(at: 4, as: UInt16.self) == 0, end.littleEndian(at: 6, as: UInt16.self) == 0 else {
            throw .corrupt("the archive spans several files")
        }
        // The directory must end exactly where the records after it begin: a gap or overlap would
        // mean prepended data or a second directory, which different tools resolve differently.
        let directoryEnd: Int64
        if endOffset >= 20, try file.bytes(at: endOffset - 20, count: 4).littleEndian(at: 0, as: UInt32.self)
            == Self.locatorSignature {
            let locator = try file.bytes(at: endOffset - 20, count: 20)
            let recordOffset = locator.littleEndian(at: 8, as: UInt64.self)
            let locatorOffset = UInt64(endOffset - 20)
            guard locator.littleEndian(at: 4, as: UInt32.self) == 0, recordOffset <= locatorOffset,
                  locatorOffset - recordOffset >= 56 else {
                throw .corrupt("the ZIP64 end record locator points outside the archive")
            }
            let record = try file.bytes(at: Int64(recordOffset), count: 56)
            guard record.littleEndian(at: 0, as: UInt32.self) == Self.zip64EndSignature else {
                throw .corrupt("no ZIP64 end record where its locator points")
            }
            guard record.littleEndian(at: 16, as: UInt32.self) == 0, record.littleEndian(at: 20, as: UInt32.self) == 0 else {
                throw .corrupt("the archive spans several files")
            }
            entryCount = record.littleEndian(at: 32, as: UInt64.self)
            (offset, size) = try Self.checked(offset: record.littleEndian(at: 48, as: UInt64.self),
                                              size: record.littleEndian(at: 40, as: UInt64.self))
            directoryEnd = Int64(recordOffset)
        } else {
            entryCount = UInt64(end.littleEndian(at: 10, as: UInt16.self))
            (offset, size) = try Self.checked(offset: UInt64(end.littleEndian(at: 16, as: UInt32.self)),
                                              size: UInt64(end.littleEndian(at: 12, as: UInt32.self)))
            directoryEnd = endOffset
        }
        guard offset + size == directoryEnd else {
            throw .corrupt("the central directory does not end where the end record begins")
        }
        // Every central header is at least 46 bytes, so a larger count than fits is a lie.
        guard entryCount <= UInt64(size / 46) else { throw .corrupt("more entries declared than the directory holds") }
    }

    private static func checked(offset: UInt64, size: UInt64) throws(ZipReadError) -> (Int64, Int64) {
        guard offset <= UInt64(Int64.max), size <= UInt64(Int64.max) - offset else {
            throw .corrupt("the central directory lies outside the archive")
        }
        return (Int64(offset), Int64(size))
    }

    /// The end record is the last thing in the file but for its comment, of at most 64 KiB. The
    /// match must account for every byte up to the end, so a record-like string inside a comment
    /// is passed over.
    private static func findEndRecord(_ file: ZipArchiveFile) throws(ZipReadError) -> Int64 {
        let tailLength = Int(min(file.size, Int64(endLength + maxCommentLength)))
        let tailStart = file.size - Int64(tailLength)
        let tail = try file.bytes(at: tailStart, count: tailLength)
        var candidate = tailLength - endLength
        while candidate >= 0 {
            if tail.littleEndian(at: candidate, as: UInt32.self) == endSignature,
               candidate + endLength + Int(tail.littleEndian(at: candidate + 20, as: UInt16.self)) == tailLength {
                return tailStart + Int64(candidate)
            }
            candidate -= 1
        }
        // A file that starts like a ZIP but has no end record was cut short.
        guard file.size >= 4, try file.bytes(at: 0, count: 4).littleEndian(at: 0, as: UInt32.self) == 0x0403_4B50 else {
            throw .notAZip
        }
        throw .truncated
    }
}
