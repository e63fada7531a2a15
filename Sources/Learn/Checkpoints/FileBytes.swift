#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and atomic replacement over Glibc, since Learn does not depend on Storage.
enum FileBytes {
    /// What a replacement's temporary file adds to the name it replaces: `last.ckpt.tmp-PID-SUFFIX`.
    static let temporaryMarker = ".tmp-"

    static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CheckpointError.io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let result = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result >= 0 else { throw CheckpointError.io(operation: "read", path: path, errno: errno) }
            if result == 0 { return bytes }
            bytes += chunk[..<result]
        }
    }

    /// Replaces a file so that a crash at any moment leaves either the old contents or the new
    /// ones: write a temporary file beside it, fsync it, rename it over, then fsync the directory
    /// so the rename itself is durable. `beforeRename` runs once the temporary file is complete; tests throw from it to check that a
    /// failed write leaves the old file alone and no temporary file behind.
    static func write(_ bytes: [UInt8], to path: String, beforeRename: () throws -> Void = {}) throws {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        // Unique per writer and moment, so concurrent writers never share a temporary file.
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var suffix = Random(seed: UInt64(now.tv_sec) << 30 ^ UInt64(now.tv_nsec))
        let temporary = "\(path)\(temporaryMarker)\(getpid())-\(String(suffix.next(), radix: 36))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CheckpointError.io(operation: "create", path: temporary, errno: errno) }
        do {
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else { throw CheckpointError.io(operation: "fsync", path: temporary, errno: errno) }
            try beforeRename()
            guard rename(temporary, path) == 0 else { throw CheckpointError.io(operation: "rename", path: temporary, errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory.isEmpty ? "/" : directory)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw CheckpointError.io(operation: "write", path: path, errno: errno) }
                written += result
            }
        }
    }

    private static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CheckpointError.io(operation: "open", path: directory, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw CheckpointError.io(operation: "fsync", path: directory, errno: errno) }
    }
}
