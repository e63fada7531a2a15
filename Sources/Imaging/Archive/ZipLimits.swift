/// What an uploaded archive may declare before `ZipReader` refuses it. Every check is made on the
/// central directory before anything is extracted, and extraction then holds each entry to its
/// declared size, so these bound the disk and memory an archive can make the server spend.
public struct ZipLimits: Sendable {
    public var maxEntries = 100_000
    public var maxTotalUncompressedBytes: Int64 = 20 << 30
    public var maxEntryUncompressedBytes: Int64 = 1 << 30
    /// Uncompressed / compressed, per entry and overall (a 1 KB entry that inflates to 1 GB is a bomb).
    /// Entries, and archives, that inflate to at most `ratioExemptBytes` are not held to it.
    public var maxCompressionRatio: Int64 = 200
    /// A blank mask or a run of zeros can deflate past any sane ratio, but below this size it
    /// cannot cost anything worth refusing an upload for.
    public var ratioExemptBytes: Int64 = 1 << 20

    public init() {}
}
