/// One central directory header (APPNOTE 4.3.12), parsed and checked on its own. The checks across
/// entries (limits, duplicate names, overlapping data) are `ZipReader`'s.
struct ZipDirectoryEntry: Sendable {
    let info: ZipEntryInfo
    /// The name exactly as stored, for comparing with the local header's.
    let nameBytes: [UInt8]
    let headerOffset: Int64
    /// Where the next entry's local header, or the central directory, begins: this entry's data
    /// must end by then. Set once every entry is known.
    var dataLimit: Int64 = 0

    /// Where the data ends if the local header repeats the name and has no extra field: the least
    /// room the entry can take.
    var minimalEnd: Int64 { headerOffset + 30 + Int64(nameBytes.count) + info.compressedSize }

    private static let signature: UInt32 = 0x0201_4B50

    init(from cursor: inout ZipDirectoryCursor, directoryOffset: Int64) throws(ZipReadError) {
        let header = try cursor.take(46)
        guard header.littleEndian(at: 0, as: UInt32.self) == Self.signature else {
            throw .corrupt("a central directory header has the wrong signature")
        }
        let madeBy = header.littleEndian(at: 4, as: UInt16.self) >> 8
        let flags = header.littleEndian(at: 8, as: UInt16.self)
        let method = header.littleEndian(at: 10, as: UInt16.self)
        var compressed = UInt64(header.littleEndian(at: 20, as: UInt32.self))
        var size = UInt64(header.littleEndian(at: 24, as: UInt32.self))
        let external = header.littleEndian(at: 38, as: UInt32.self)
        var offset = UInt64(header.littleEndian(at: 42, as: UInt32.self))
        nameBytes = Array(try cursor.take(Int(header.littleEndian(at: 28, as: UInt16.self))))
        let extra = try cursor.take(Int(header.littleEndian(at: 30, as: UInt16.self)))
        _ = try cursor.take(Int(header.littleEndian(at: 32, as: UInt16.self)))

        // CP437, what ZIP assumes without the UTF-8 flag, would turn the same bytes into other
        // names than tools that assume UTF-8 do; only names that read the same in both pass.
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw .unsafeName(name: String(decoding: nameBytes, as: UTF8.self), reason: "it is not UTF-8")
        }
        // Bit 0 is traditional encryption, bit 6 strong encryption.
        guard flags & 0x41 == 0 else { throw .encrypted(name: name) }
        guard method == ZipEntry.stored || method == ZipEntry.deflated else {
            throw .unsupportedMethod(name: name, method: method)
        }
        let isDirectory = name.hasSuffix("/")
        if let reason = ZipEntryName.problem(with: isDirectory ? String(name.dropLast()) : name) {
            throw .unsafeName(name: name, reason: reason)
        }
        // Unix (3) and macOS (19) keep the file mode in the high 16 bits of the external attributes.
        if madeBy == 3 || madeBy == 19, (external >> 16) & 0o170000 == 0o120000 { throw .symlink(name: name) }
        // The disk number's own ZIP64 field is not read: spanned archives are refused as a whole.
        guard header.littleEndian(at: 34, as: UInt16.self) == 0 else { throw .corrupt("\"\(name)\" is on another disk") }

        try Self.readZip64(extra, size: &size, compressed: &compressed, offset: &offset, name: name)
        guard size <= UInt64(Int64.max), compressed <= UInt64(directoryOffset), offset <= UInt64(directoryOffset) else {
            throw .corrupt("\"\(name)\" lies outside the archive")
        }
        guard method != ZipEntry.stored || size == compressed else {
            throw .corrupt("stored entry \"\(name)\" declares two different sizes")
        }
        guard !isDirectory || size == 0 else { throw .corrupt("directory \"\(name)\" has data") }
        info = ZipEntryInfo(name: name, compressedSize: Int64(compressed), uncompressedSize: Int64(size),
                            crc32: header.littleEndian(at: 16, as: UInt32.self), isDirectory: isDirectory, method: method)
        headerOffset = Int64(offset)
        guard minimalEnd <= directoryOffset else { throw .corrupt("\"\(name)\" runs into the central directory") }
    }

    /// A 32-bit field holding 0xFFFFFFFF is in the ZIP64 extra field (APPNOTE 4.5.3), which holds
    /// only those fields, in this order.
    private static func readZip64(_ extra: ArraySlice<UInt8>, size: inout UInt64, compressed: inout UInt64,
                                  offset: inout UInt64, name: String) throws(ZipReadError) {
        var rest = extra
        var seen = false
        while rest.count >= 4 {
            let id = rest.littleEndian(at: 0, as: UInt16.self)
            let length = Int(rest.littleEndian(at: 2, as: UInt16.self))
            guard length <= rest.count - 4 else { throw .corrupt("\"\(name)\" has a malformed extra field") }
            let field = rest.dropFirst(4).prefix(length)
            rest = rest.dropFirst(4 + length)
            guard id == 0x0001 else { continue }
            // Two would let tools that read different ones see different sizes.
            guard !seen else { throw .corrupt("\"\(name)\" has two ZIP64 extra fields") }
            seen = true
            var position = 0
            func next(_ current: UInt64) throws(ZipReadError) -> UInt64 {
                guard current == ZipEntry.overflow else { return current }
                guard position + 8 <= field.count else { throw .corrupt("\"\(name)\" has a short ZIP64 extra field") }
                defer { position += 8 }
                return field.littleEndian(at: position, as: UInt64.self)
            }
            size = try next(size)
            compressed = try next(compressed)
            offset = try next(offset)
        }
    }
}
