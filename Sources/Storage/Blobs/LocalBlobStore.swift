import Crypto
import Foundation
import Glibc

/// Blobs in the data directory, the embedded default. Blobs of up to `inlineLimit` bytes are rows of
/// `InlineBlobs`; larger ones are files at `root/ab/cd/abcd…`. The size alone decides, so equal content
/// has one place however it arrives; small blobs stored as files before blobs went into SQLite stay
/// files, are found first, and are never stored a second time.
///
/// A put is durable through a FULL commit, or fsync of the file, rename, fsync of the directory.
public final class LocalBlobStore: BlobStore {
    public let root: String
    /// The largest blob kept in SQLite, in bytes; see docs/decisions.md ("Storage") for the figure.
    public let inlineLimit: Int
    public static let defaultInlineLimit = 128 * 1024
    let inline: InlineBlobs
    /// Orders "is the blob there? then refresh its mtime" in `put` against "is it old? then remove
    /// it" in `collectGarbage`, so a blob a put has just vouched for cannot be removed under it.
    let lock = NSLock()

    /// Creates `root`, `root/tmp` and `root/inline.sqlite` when missing.
    public init(root: String, inlineLimit: Int = LocalBlobStore.defaultInlineLimit) throws {
        self.root = root
        self.inlineLimit = inlineLimit
        try FileSystem.makeDirectories("\(root)/tmp")
        inline = try InlineBlobs(path: "\(root)/inline.sqlite")
    }

    /// Waits for reads and writes of small blobs in progress and closes their database.
    public func close() {
        inline.database.close()
    }

    /// Where uploads are spooled before `adopt`: inside `root`, so on the same filesystem, and a
    /// rename moves them into place without copying.
    public var temporaryDirectory: String { "\(root)/tmp" }

    func path(for id: BlobID) -> String {
        "\(directory(for: id))/\(id.hex)"
    }

    /// Two levels of 256 directories keep each one small however many blobs there are.
    func directory(for id: BlobID) -> String {
        "\(root)/\(id.hex.prefix(2))/\(id.hex.dropFirst(2).prefix(2))"
    }

    func isInline(_ size: Int) -> Bool { size <= inlineLimit }

    /// Storing content that is already there rewrites nothing but refreshes the blob's age, so
    /// the garbage collector's grace period protects it until the row that will reference it commits.
    public func put(_ bytes: [UInt8]) throws -> BlobID {
        let id = BlobID(digest: SHA256.hash(bytes))
        if try refresh(id) { return id }
        if isInline(bytes.count) {
            try inline.put([(id, bytes)])
            return id
        }
        try FileSystem.makeDirectories(directory(for: id))
        try AtomicFile.write(bytes, to: path(for: id))
        return id
    }

    /// Copies the file at `path`, which is left as it was, hashing it on the way. The copy is made
    /// in `temporaryDirectory` rather than beside the blob, as the blob's place is known only once
    /// the last byte is hashed; never more than one 1 MiB piece is in memory.
    public func put(contentsOf path: String) throws -> BlobID {
        let source = try FileSystem.open(path, O_RDONLY)
        defer { Glibc.close(source) }
        if let bytes = try FileSystem.read(source, path: path, atMost: inlineLimit) { return try put(bytes) }
        let temporary = newTemporaryPath()
        var hasher = SHA256()
        try FileSystem.createDurably(temporary) { target in
            try FileSystem.readChunks(source, path: path) { piece in
                hasher.update(piece)
                try FileSystem.writeAll(target, piece, path: temporary)
            }
        }
        do {
            return try install(temporary, as: BlobID(digest: hasher.finalize()))
        } catch {
            Glibc.unlink(temporary)
            throw error
        }
    }

    /// Hashes a file already in `temporaryDirectory`, fsyncs it (its writer may not have) and
    /// renames it into place, or stores its bytes in SQLite when it is small; the file is gone
    /// afterwards. On error it stays where it was, and `collectGarbage` removes it once it is older
    /// than the grace period.
    public func adopt(temporaryFile path: String) throws -> BlobID {
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        guard directory.path == URL(fileURLWithPath: temporaryDirectory).standardizedFileURL.path else {
            throw StorageError.notInTemporaryDirectory(path: path)
        }
        let fd = try FileSystem.open(path, O_RDONLY)
        var hasher = SHA256()
        let small: [UInt8]?
        do {
            small = try FileSystem.read(fd, path: path, atMost: inlineLimit)
            if small == nil {
                try FileSystem.readChunks(fd, path: path) { hasher.update($0) }
                try FileSystem.fsync(fd, path: path)
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        try FileSystem.close(fd, path: path)
        guard let small else { return try install(path, as: BlobID(digest: hasher.finalize())) }
        let id = try put(small)
        try FileSystem.unlink(path)
        return id
    }

    /// False also when the small blobs' database cannot be read: callers ask in order to reuse a
    /// blob, and making it again is the safe answer.
    public func contains(_ id: BlobID) -> Bool {
        if (try? inline.contains(id)) == true { return true }
        return isFile(id)
    }

    /// The blob's bytes when it is small, its file when it is large (or stored before small blobs
    /// went into SQLite).
    public func contents(of id: BlobID) throws -> BlobContents {
        if let bytes = try inline.bytes(of: id) { return .bytes(bytes) }
        guard isFile(id) else { throw StorageError.blobNotFound(id) }
        return .file(path: path(for: id))
    }

    public func verify(_ id: BlobID) throws {
        let found = BlobID(digest: SHA256.hash(try read(id)))
        guard found == id else { throw StorageError.blobCorrupt(id, hashedTo: found.hex) }
    }

    /// None: the server sends local files itself.
    public func directURL(for id: BlobID, contentType: String, contentDisposition: String?, expires: Duration) -> String? { nil }

    public func read(_ id: BlobID) throws -> [UInt8] {
        switch try contents(of: id) {
        case .bytes(let bytes):
            return bytes
        case .file(let path):
            let fd = try opened(id, path)
            defer { Glibc.close(fd) }
            var bytes = [UInt8]()
            try FileSystem.readChunks(fd, path: path) { bytes.append(contentsOf: $0) }
            return bytes
        }
    }

    public func size(of id: BlobID) throws -> Int {
        if let size = try inline.size(of: id) { return size }
        do {
            return Int(try FileSystem.lstat(path(for: id)).st_size)
        } catch StorageError.io(_, _, ENOENT) {
            throw StorageError.blobNotFound(id)
        }
    }

    /// Removing a blob that is not there is not an error: it may have been collected already.
    /// Only for a blob known to be unreferenced; shared blobs are `collectGarbage`'s to remove.
    public func remove(_ id: BlobID) throws {
        try inline.remove(id)
        do {
            try FileSystem.unlink(path(for: id))
        } catch StorageError.io(_, _, ENOENT) {
            return
        }
    }

    private func isFile(_ id: BlobID) -> Bool {
        guard let info = try? FileSystem.lstat(path(for: id)) else { return false }
        return info.st_mode & S_IFMT == S_IFREG
    }

    private func opened(_ id: BlobID, _ path: String) throws -> Int32 {
        do {
            return try FileSystem.open(path, O_RDONLY)
        } catch StorageError.io(_, _, ENOENT) {
            throw StorageError.blobNotFound(id)
        }
    }

    func newTemporaryPath() -> String {
        "\(temporaryDirectory)/\(SecureRandom.hex(bytes: 16)).tmp"
    }

    /// True when the blob exists as a file, its mtime now refreshed.
    func refresh(_ id: BlobID) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return try refreshLocked(id)
    }

    func refreshLocked(_ id: BlobID) throws -> Bool {
        do {
            try FileSystem.touch(path(for: id))
            return true
        } catch StorageError.io(_, _, ENOENT) {
            return false
        }
    }

    /// Moves a complete, fsynced file to its place, or drops it when the blob is already there.
    /// The file's mtime is refreshed first so that an old spool file lands as a young blob.
    private func install(_ temporary: String, as id: BlobID) throws -> BlobID {
        lock.lock()
        defer { lock.unlock() }
        if try refreshLocked(id) {
            try FileSystem.unlink(temporary)
            return id
        }
        let directory = directory(for: id)
        try FileSystem.makeDirectories(directory)
        try FileSystem.touch(temporary)
        try FileSystem.rename(temporary, to: path(for: id))
        try AtomicFile.fsyncDirectory(directory)
        return id
    }
}

extension BlobID {
    init(digest: [UInt8]) {
        precondition(digest.count == SHA256.byteCount, "a blob id is a SHA-256 digest")
        hex = Hex.encode(digest)
    }
}
