/// One entry's headers, laid out as PKWARE's APPNOTE.TXT 6.3 gives them (sections 4.3.7 local
/// header, 4.3.12 central header, 4.5.3 ZIP64 extra field). All fields are little-endian.
struct ZipEntry {
    static let stored: UInt16 = 0
    static let deflated: UInt16 = 8
    /// A 32-bit size or offset field at this value says "see the ZIP64 extra field".
    static let overflow: UInt64 = 0xFFFF_FFFF

    let name: [UInt8]
    let method: UInt16
    /// Where the local header starts.
    let offset: UInt64
    /// Chosen before the data is written, as the local header's length depends on it.
    let zip64Sizes: Bool
    var crc: UInt32 = 0
    var compressedSize: UInt64 = 0
    var size: UInt64 = 0

    /// Whether an entry of `size` bytes might need 64-bit sizes. Deflate grows incompressible data
    /// by 5 bytes per 64 KiB stored block; 1/1024 is a generous margin over that.
    static func needsZip64(size: UInt64, compressed: Bool) -> Bool {
        (compressed ? size + size / 1024 + 1024 : size) >= overflow
    }

    /// Bit 11: the name is UTF-8. Bit 3 stays clear: sizes and CRC are patched into this header
    /// after the data, so no data descriptor follows it.
    private static let flags: UInt16 = 1 << 11
    /// 1980-01-01 00:00, the earliest DOS date: a fixed time keeps the same export byte-identical.
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    private var versionNeeded: UInt16 { zip64Sizes || offset >= Self.overflow ? 45 : 20 }

    var localHeader: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(30 + name.count + 20)
        bytes.appendLittleEndian(UInt32(0x0403_4B50))
        appendSharedFields(to: &bytes)
        bytes.appendLittleEndian(UInt16(zip64Sizes ? 20 : 0))
        bytes += name
        if zip64Sizes {
            bytes.appendLittleEndian(UInt16(0x0001))
            bytes.appendLittleEndian(UInt16(16))
            bytes.appendLittleEndian(size)
            bytes.appendLittleEndian(compressedSize)
        }
        return bytes
    }

    /// The fields both headers carry, "version needed" to the name's length. With ZIP64 sizes both 32-bit
    /// sizes are 0xFFFFFFFF: a local ZIP64 field must hold both (APPNOTE 4.5.3), and the central one matches.
    private func appendSharedFields(to bytes: inout [UInt8]) {
        bytes.appendLittleEndian(versionNeeded)
        bytes.appendLittleEndian(Self.flags)
        bytes.appendLittleEndian(method)
        bytes.appendLittleEndian(Self.dosTime)
        bytes.appendLittleEndian(Self.dosDate)
        bytes.appendLittleEndian(crc)
        bytes.appendLittleEndian(UInt32(zip64Sizes ? Self.overflow : compressedSize))
        bytes.appendLittleEndian(UInt32(zip64Sizes ? Self.overflow : size))
        bytes.appendLittleEndian(UInt16(name.count))
    }

    /// The central header repeats the local one's choice of 64-bit sizes, so readers that compare
    /// the two agree; the offset goes to ZIP64 only when it must.
    func appendCentralHeader(to bytes: inout [UInt8]) {
        let offsetOverflows = offset >= Self.overflow
        var extra = [UInt8]()
        if zip64Sizes {
            extra.appendLittleEndian(size)
            extra.appendLittleEndian(compressedSize)
        }
        if offsetOverflows { extra.appendLittleEndian(offset) }
        let extraLength = extra.isEmpty ? 0 : 4 + extra.count

        bytes.appendLittleEndian(UInt32(0x0201_4B50))
        // Made by Unix (3), spec 4.5, so the external attributes are read as a mode.
        bytes.appendLittleEndian(UInt16(3 << 8 | 45))
        appendSharedFields(to: &bytes)
        bytes.appendLittleEndian(UInt16(extraLength))
        bytes.appendLittleEndian(UInt16(0))  // comment length
        bytes.appendLittleEndian(UInt16(0))  // disk number
        bytes.appendLittleEndian(UInt16(0))  // internal attributes
        bytes.appendLittleEndian(UInt32(0o100644) << 16)  // a regular file, rw-r--r--
        bytes.appendLittleEndian(UInt32(offsetOverflows ? Self.overflow : offset))
        bytes += name
        if !extra.isEmpty {
            bytes.appendLittleEndian(UInt16(0x0001))
            bytes.appendLittleEndian(UInt16(extra.count))
            bytes += extra
        }
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
