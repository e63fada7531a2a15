import Foundation

/// Content named by its SHA-256, wherever it is kept: files and a SQLite database under the data
/// directory (`LocalBlobStore`, the embedded default), or an S3-compatible bucket shared by several
/// processes (`S3BlobStore`). Callers see the same rules either way:
///
/// - a put is durable before it returns, and a blob appears whole or not at all;
/// - equal content is stored once, however it arrives, and one blob may back many rows, so callers
///   never remove blobs themselves: `collectGarbage` removes those no row refers to;
/// - a blob's place comes only from its hash, never from a name a user supplied.
public protocol BlobStore: AnyObject, Sendable {
    /// A local folder for uploads and downloads on their way in (`adopt`) and for files made to be
    /// stored (exports); the store removes what it adopts, and collects what is left behind.
    var temporaryDirectory: String { get }

    func put(_ bytes: [UInt8]) throws -> BlobID

    /// Stores a file from `temporaryDirectory`, which is gone afterwards. On error it stays where it
    /// was, and the collection removes it once it is older than the grace period.
    func adopt(temporaryFile path: String) throws -> BlobID

    /// False also when the store cannot be asked: callers ask in order to reuse a blob, and making
    /// it again is the safe answer.
    func contains(_ id: BlobID) -> Bool

    /// The blob as a local file to send or copy from, or its bytes when they are few.
    func contents(of id: BlobID) throws -> BlobContents

    func read(_ id: BlobID) throws -> [UInt8]

    /// Reads the blob back from where it is kept, not from a copy, and checks that it hashes to its
    /// id: `StorageError.blobNotFound` or `.blobCorrupt` when not.
    func verify(_ id: BlobID) throws

    /// A batch for staging many blobs and making them durable together (imports).
    func batch() -> any BlobBatch

    /// Removes the blobs, and leftover temporary files, older than `gracePeriod` that no row refers
    /// to, and answers how many went. `referenced` is read from the database when the store is ready
    /// for it, after whatever marks the store makes first: what the store does so that a put racing
    /// the collection, in this process or another, never loses its blob.
    func collectGarbage(referenced: () throws -> Set<BlobID>, gracePeriod: Duration) throws -> Int

    /// Copies the store into the local folder `target` (created); with `keeping`, only those blobs.
    func backup(to target: String, keeping: Set<BlobID>?) throws

    /// A URL the client may fetch the blob from directly for `expires`, answered with these
    /// `Content-Type` and `Content-Disposition`; nil where the store has none (the server sends local files).
    func directURL(for id: BlobID, contentType: String, contentDisposition: String?, expires: Duration) -> String?

    /// Waits for the store's work in progress and lets its resources go.
    func close()
}

/// Many blobs made durable together: none is visible before `commit`, all are after it returns.
public protocol BlobBatch: AnyObject, Sendable {
    /// Stages `bytes` and answers its id; safe from several threads at once.
    func add(_ bytes: [UInt8]) throws -> BlobID

    /// Makes every staged blob durable and visible; call it once every `add` has returned. Throws
    /// when any could not be stored, so that no row is committed for a blob that is not there.
    func commit() throws
}
