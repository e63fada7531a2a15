/// The records after the central directory: the end of central directory record (APPNOTE 4.3.16),
/// preceded by the ZIP64 end record and locator (4.3.14, 4.3.15) only when a count, size or
/// offset does not fit its 16- or 32-bit field.
enum ZipDirectoryEnd {
    static func records(entries: Int, directoryOffset: UInt64, directorySize: UInt64) -> [UInt8] {
        let count = UInt64(entries)
        let needsZip64 = count >= 0xFFFF || directoryOffset >= ZipEntry.overflow || directorySize >= ZipEntry.overflow
        var bytes = [UInt8]()
        if needsZip64 {
            let recordOffset = directoryOffset + directorySize
            bytes.appendLittleEndian(UInt32(0x0606_4B50))
            bytes.appendLittleEndian(UInt64(44))  // size of the rest of this record
            bytes.appendLittleEndian(UInt16(3 << 8 | 45))
            bytes.appendLittleEndian(UInt16(45))
            bytes.appendLittleEndian(UInt32(0))  // this disk
            bytes.appendLittleEndian(UInt32(0))  // disk where the directory starts
            bytes.appendLittleEndian(count)  // entries on this disk
            bytes.appendLittleEndian(count)  // entries in all
            bytes.appendLittleEndian(directorySize)
            bytes.appendLittleEndian(directoryOffset)

            bytes.appendLittleEndian(UInt32(0x0706_4B50))
            bytes.appendLittleEndian(UInt32(0))  // disk holding the ZIP64 end record
            bytes.appendLittleEndian(recordOffset)
            bytes.appendLittleEndian(UInt32(1))  // disks in all
        }
        bytes.appendLittleEndian(UInt32(0x0605_4B50))
        bytes.appendLittleEndian(UInt16(0))  // this disk
        bytes.appendLittleEndian(UInt16(0))  // disk where the directory starts
        bytes.appendLittleEndian(UInt16(min(count, 0xFFFF)))
        bytes.appendLittleEndian(UInt16(min(count, 0xFFFF)))
        bytes.appendLittleEndian(UInt32(min(directorySize, ZipEntry.overflow)))
        bytes.appendLittleEndian(UInt32(min(directoryOffset, ZipEntry.overflow)))
        bytes.appendLittleEndian(UInt16(0))  // comment length
        return bytes
    }
}
