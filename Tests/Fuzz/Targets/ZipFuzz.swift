import Glibc
import Imaging

/// An uploaded archive is read straight from disk: whatever its central directory claims, every
/// entry the reader lists must have a name that stays inside the target folder, and every entry
/// it inflates must come out exactly as large as it declared, within the limits.
enum ZipFuzz {
    private static let limits = {
        var limits = ZipLimits()
        limits.maxEntries = 64
        limits.maxEntryUncompressedBytes = 4 << 20
        limits.maxTotalUncompressedBytes = 8 << 20
        return limits
    }()

    /// One file per process, rewritten for each input.
    private static let path = "/tmp/quarry-fuzz-\(getpid()).zip"

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        try write(bytes)
        defer { unlink(path) }
        let reader: ZipReader
        do {
            reader = try ZipReader(path: path, limits: limits)
        } catch {
            return
        }
        try expect(reader.entries.count <= limits.maxEntries, "\(reader.entries.count) entries passed a limit of \(limits.maxEntries)")
        var total: Int64 = 0
        for (index, entry) in reader.entries.enumerated() {
            let name = entry.isDirectory ? String(entry.name.dropLast()) : entry.name
            try expect(!entry.isDirectory || entry.name.hasSuffix("/"), "directory \"\(entry.name)\" has no trailing /")
            try expect(ZipEntryName.problem(with: name) == nil, "unsafe name \"\(entry.name)\" was listed")
            try expect(entry.uncompressedSize <= limits.maxEntryUncompressedBytes, "\"\(entry.name)\" declares \(entry.uncompressedSize) bytes")
            total += entry.uncompressedSize
            guard let data = try? reader.data(of: index) else { continue }
            try expect(Int64(data.count) == entry.uncompressedSize,
                       "\"\(entry.name)\" inflated to \(data.count) bytes, declared \(entry.uncompressedSize)")
            try expect(!entry.isDirectory || data.isEmpty, "directory \"\(entry.name)\" has data")
        }
        try expect(total <= limits.maxTotalUncompressedBytes, "the entries declare \(total) bytes in all")
    }

    private static func write(_ bytes: [UInt8]) throws(FuzzFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try expect(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        try expect(written == bytes.count, "cannot write \(path)")
    }
}
