import Crypto
import Foundation
import Glibc

/// Local copies of a remote store's blobs, so that what the server sends or reads (images an epoch
/// at a time, exports) is read from disk after the first time rather than fetched again. A copy
/// enters only once its bytes hashed to its id, so a copy is never wrong, only missing: nothing here
/// needs to be durable, and a crash at worst leaves a file in `incoming` for the next start to remove.
///
/// The copies take at most `limit` bytes: past it, the least recently used go (their modification
/// time is refreshed on each use) until a tenth of the room is free, except those used in the last
/// minute, which a caller may be about to open.
final class BlobCache: @unchecked Sendable {
    // @unchecked: `total` is only touched under `lock`.
    let root: String
    let limit: Int
    private let lock = NSLock()
    private var total = 0

    /// Files younger than this are never evicted: `contents(of:)` hands out a path before its reader opens it.
    static let inUse: Duration = .seconds(60)

    init(root: String, limit: Int) throws {
        self.root = root
        self.limit = limit
        try FileSystem.makeDirectories(incoming, durably: false)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [] {
            Glibc.unlink("\(incoming)/\(name)")
        }
        total = try copies().reduce(0) { $0 + $1.size }
    }

    /// Where downloads land before they are checked and moved in: on the copies' filesystem, so a
    /// rename moves them.
    var incoming: String { "\(root)/incoming" }

    func path(for id: BlobID) -> String { "\(root)/\(id.hex.prefix(2))/\(id.hex)" }

    /// The copy's path when there is one, its use recorded.
    func lookup(_ id: BlobID) -> String? {
        let path = path(for: id)
        guard (try? FileSystem.touch(path)) != nil else { return nil }
        return path
    }

    /// Moves `file`, whose bytes hash to `id`, in as its copy; a copy already there wins and `file`
    /// is removed.
    func insert(_ file: String, as id: BlobID) throws {
        let target = path(for: id)
        try FileSystem.makeDirectories(FileSystem.parent(of: target), durably: false)
        let size = Int(try FileSystem.lstat(file).st_size)
        let added = try lock.withLock {
            if (try? FileSystem.lstat(target)) != nil {
                try FileSystem.unlink(file)
                return false
            }
            try FileSystem.rename(file, to: target)
            total += size
            return total > limit
        }
        if added { try evict() }
    }

    /// Keeps a copy of bytes known to hash to `id`.
    func insert(_ bytes: [UInt8], as id: BlobID) throws {
        guard (try? FileSystem.lstat(path(for: id))) == nil else { return }
        let file = "\(incoming)/\(SecureRandom.hex(bytes: 16))"
        let fd = try FileSystem.open(file, O_WRONLY | O_CREAT | O_EXCL)
        do {
            try bytes.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: file) }
            try FileSystem.close(fd, path: file)
        } catch {
            Glibc.close(fd)
            Glibc.unlink(file)
            throw error
        }
        try insert(file, as: id)
    }

    func remove(_ id: BlobID) {
        lock.withLock {
            guard let info = try? FileSystem.lstat(path(for: id)), (try? FileSystem.unlink(path(for: id))) != nil else { return }
            total -= Int(info.st_size)
        }
    }

    var bytesHeld: Int { lock.withLock { total } }

    private func evict() throws {
        let cutoff = FileSystem.now() - Self.inUse
        let oldestFirst = try copies().filter { $0.used < cutoff }.sorted { $0.used < $1.used }
        lock.withLock {
            for copy in oldestFirst where total > limit - limit / 10 {
                guard (try? FileSystem.unlink(copy.path)) != nil else { continue }
                total -= copy.size
            }
        }
    }

    private func copies() throws -> [(path: String, size: Int, used: Duration)] {
        var found: [(path: String, size: Int, used: Duration)] = []
        for shard in try FileManager.default.contentsOfDirectory(atPath: root) where shard.utf8.count == 2 {
            let directory = "\(root)/\(shard)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where BlobID(hex: name) != nil {
                guard let info = try? FileSystem.lstat("\(directory)/\(name)") else { continue }
                found.append(("\(directory)/\(name)", Int(info.st_size), FileSystem.duration(info.st_mtim)))
            }
        }
        return found
    }
}
