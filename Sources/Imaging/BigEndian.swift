/// Header fields are big-endian in both PNG and JPEG. Each read answers nil rather than look past
/// the end, so a parser built on them cannot leave the buffer whatever the file claims.
extension UnsafeRawBufferPointer {
    func byte(at offset: Int) -> Int? {
        guard offset >= 0, offset < count else { return nil }
        return Int(self[offset])
    }

    func bigEndian16(at offset: Int) -> Int? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return Int(self[offset]) << 8 | Int(self[offset + 1])
    }

    func bigEndian32(at offset: Int) -> Int? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        return (offset..<offset + 4).reduce(0) { $0 << 8 | Int(self[$1]) }
    }
}
