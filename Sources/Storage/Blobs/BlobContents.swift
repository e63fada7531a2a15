/// Where a blob's bytes are: a file to send or copy from (large blobs, and small ones stored before
/// blobs went into SQLite), or the bytes themselves (small blobs, read from `InlineBlobs`).
public enum BlobContents: Sendable, Equatable {
    case file(path: String)
    case bytes([UInt8])
}
