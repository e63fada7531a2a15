/// One entry as the central directory describes it, after `ZipReader` has checked it.
public struct ZipEntryInfo: Sendable {
    /// A relative path of "/"-separated components, safe to join to an extraction folder; a
    /// directory's keeps its trailing "/".
    public let name: String
    public let compressedSize: Int64
    public let uncompressedSize: Int64
    public let crc32: UInt32
    public let isDirectory: Bool
    /// 0 (stored) or 8 (deflated).
    public let method: UInt16
}
