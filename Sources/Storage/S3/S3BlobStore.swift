import Crypto
import Foundation
import Glibc

/// Blobs in an S3-compatible bucket, shared by every process of a deployment: each blob is one object
/// whose key is the prefix and its SHA-256 (`prefix/ab12…`), so content addressing is kept and any
/// process finds any blob. Puts are signed with the body's SHA-256, which S3 checks; what comes back
/// is hashed again before it is used (`BlobCache`), as not every store checks what it takes.
///
/// Several processes put and collect at once, so collection is coordinated through `BlobHolds`, kept
/// in the shared database: see there why no put loses its blob to a collection in another process.
public final class S3BlobStore: BlobStore {
    /// `s3://bucket/prefix`, as `QUARRY_BLOB_STORE` names it.
    public struct Location: Sendable, Equatable {
        public var bucket: String
        /// Empty, or ending in `/`.
        public var prefix: String

        public init?(url: String) {
            guard url.hasPrefix("s3://") else { return nil }
            let rest = url.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            let segments = rest.dropFirst(bucket.count).split(separator: "/")
            // `.` and `..` would make keys that some stores and tools read as paths.
            guard !bucket.isEmpty, !segments.contains(where: { $0 == "." || $0 == ".." }) else { return nil }
            self.bucket = bucket
            prefix = segments.map { $0 + "/" }.joined()
        }
    }

    let client: S3Client
    let prefix: String
    let holds: any BlobHolds
    /// How long a put keeps its blob from collection: the grace period, which must outlast the time
    /// from a put to the commit of the row that refers to it.
    let holdDuration: Duration
    let cache: BlobCache
    public let temporaryDirectory: String

    /// Objects over this are uploaded in parts.
    static let partSize = 16 << 20
    /// Puts of bytes up to this size are sent without asking first whether the object is there: the
    /// question costs as much as the put.
    static let blindPutLimit = 1 << 20

    /// `localRoot` holds the spool (`tmp`) and the local copies (`cache`, at most `cacheLimit` bytes).
    public init(client: S3Client, prefix: String, localRoot: String, holds: any BlobHolds, holdDuration: Duration,
                cacheLimit: Int) throws {
        self.client = client
        self.prefix = prefix
        self.holds = holds
        self.holdDuration = holdDuration
        temporaryDirectory = "\(localRoot)/tmp"
        try FileSystem.makeDirectories(temporaryDirectory)
        cache = try BlobCache(root: "\(localRoot)/cache", limit: cacheLimit)
    }

    /// Checks at start-up that the bucket answers to these credentials, so a wrong secret is one clear
    /// error rather than a failure at the first upload.
    public func verifyAccess() throws(S3Error) {
        try client.verifyAccess(prefix: prefix)
    }

    func key(_ id: BlobID) -> String { prefix + id.hex }

    public func put(_ bytes: [UInt8]) throws -> BlobID {
        let id = BlobID(digest: SHA256.hash(bytes))
        try holds.hold([id], for: holdDuration)
        try store(bytes, as: id)
        return id
    }

    /// Stores bytes already held.
    func store(_ bytes: [UInt8], as id: BlobID) throws {
        if try bytes.count <= Self.blindPutLimit || client.head(key: key(id)) != bytes.count {
            try client.put(bytes, key: key(id))
        }
        try? cache.insert(bytes, as: id)
    }

    public func adopt(temporaryFile path: String) throws -> BlobID {
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        guard directory.path == URL(fileURLWithPath: temporaryDirectory).standardizedFileURL.path else {
            throw StorageError.notInTemporaryDirectory(path: path)
        }
        let (id, size) = try Self.hash(file: path)
        try holds.hold([id], for: holdDuration)
        try store(file: path, size: size, as: id)
        return id
    }

    /// Uploads a file already held, unless the object is there, and keeps it as the local copy.
    func store(file path: String, size: Int, as id: BlobID) throws {
        if try client.head(key: key(id)) != size {
            try client.upload(file: path, key: key(id), sha256: id.hex, partSize: Self.partSize)
        }
        try cache.insert(path, as: id)
    }

    public func contains(_ id: BlobID) -> Bool {
        ((try? client.head(key: key(id))) ?? nil) != nil
    }

    /// Always a local file: the copy, fetched first when there is none.
    public func contents(of id: BlobID) throws -> BlobContents {
        if let path = cache.lookup(id) { return .file(path: path) }
        let file = try fetch(id)
        try cache.insert(file, as: id)
        return .file(path: cache.path(for: id))
    }

    /// Fetched from the bucket and checked, past any local copy; nothing is kept.
    public func verify(_ id: BlobID) throws {
        Glibc.unlink(try fetch(id))
    }

    /// Downloads the object into `cache.incoming` and answers the file once its bytes hashed to `id`.
    private func fetch(_ id: BlobID) throws -> String {
        let file = "\(cache.incoming)/\(SecureRandom.hex(bytes: 16))"
        do {
            _ = try client.download(key: key(id), to: file)
        } catch {
            throw error.code == "NoSuchKey" ? StorageError.blobNotFound(id) : error
        }
        let found: BlobID
        do {
            found = try Self.hash(file: file).id
        } catch {
            Glibc.unlink(file)
            throw error
        }
        guard found == id else {
            Glibc.unlink(file)
            throw StorageError.blobCorrupt(id, hashedTo: found.hex)
        }
        return file
    }

    public func read(_ id: BlobID) throws -> [UInt8] {
        guard case .file(let path) = try contents(of: id) else { preconditionFailure("the S3 store's contents are files") }
        let fd = try FileSystem.open(path, O_RDONLY)
        defer { Glibc.close(fd) }
        var bytes = [UInt8]()
        try FileSystem.readChunks(fd, path: path) { bytes.append(contentsOf: $0) }
        return bytes
    }

    public func batch() -> any BlobBatch { S3BlobBatch(store: self) }

    public func directURL(for id: BlobID, contentType: String, contentDisposition: String?, expires: Duration) -> String? {
        client.presignedURL(key: key(id), expires: expires, contentType: contentType, contentDisposition: contentDisposition)
    }

    public func close() {}

    /// The id and size of a file's content, read in 1 MiB pieces.
    static func hash(file path: String) throws -> (id: BlobID, size: Int) {
        let fd = try FileSystem.open(path, O_RDONLY)
        defer { Glibc.close(fd) }
        var hasher = SHA256()
        var size = 0
        try FileSystem.readChunks(fd, path: path) { piece in
            hasher.update(piece)
            size += piece.count
        }
        return (BlobID(digest: hasher.finalize()), size)
    }
}
