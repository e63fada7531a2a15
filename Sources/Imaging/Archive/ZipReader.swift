/// Reads an uploaded ZIP archive, which may have been made to attack the server: to escape the
/// folder it is extracted into, to inflate past the disk, or to show one tool different files than
/// another. Everything the central directory declares is checked when the archive is opened, and
/// extraction then holds each entry to what was declared, so one `ZipLimits` bounds it all.
///
/// Only the central directory is trusted for names and sizes; each local header must agree with it.
/// Entries are only read, never run or linked: names are checked to be safe relative paths, and the
/// caller joins them to its own folder.
///
/// The reader keeps the file open and reads it with positioned reads, so entries may be extracted
/// from several tasks at once.
public final class ZipReader: Sendable {
    /// In central directory order, directories included.
    public let entries: [ZipEntryInfo]
    let file: ZipArchiveFile
    let records: [ZipDirectoryEntry]

    /// Opens the archive at `path` and checks its whole central directory, throwing the first
    /// problem found.
    public init(path: String, limits: ZipLimits = ZipLimits()) throws(ZipReadError) {
        file = try ZipArchiveFile(path: path)
        let location = try ZipDirectoryLocation(file: file)
        // Checked before reading anything, so a huge directory costs nothing to refuse.
        guard location.entryCount <= UInt64(limits.maxEntries) else { throw .tooManyEntries(limit: limits.maxEntries) }
        var cursor = ZipDirectoryCursor(file: file, location: location)
        var records = [ZipDirectoryEntry]()
        records.reserveCapacity(Int(location.entryCount))
        var tally = ZipSizeTally(limits: limits)
        // Without the trailing "/", so a file and a directory of the same name clash too.
        var names = Set<String>()
        while !cursor.isAtEnd {
            guard records.count < location.entryCount else {
                throw .corrupt("the central directory holds more entries than the end record declares")
            }
            let record = try ZipDirectoryEntry(from: &cursor, directoryOffset: location.offset)
            try tally.add(record.info)
            let name = record.info.name
            guard names.insert(record.info.isDirectory ? String(name.dropLast()) : name).inserted else {
                throw .unsafeName(name: name, reason: "it appears twice, and which one wins differs between tools")
            }
            records.append(record)
        }
        guard records.count == location.entryCount else {
            throw .corrupt("the central directory holds fewer entries than the end record declares")
        }
        try Self.assignDataLimits(&records, directoryOffset: location.offset)
        self.records = records
        entries = records.map(\.info)
    }

    /// Each entry's local header and data must end before the next entry's local header begins.
    /// Entries that share data are how the smallest zip bombs multiply one compressed kernel, and
    /// their sizes would not add up to the file's.
    private static func assignDataLimits(_ records: inout [ZipDirectoryEntry],
                                         directoryOffset: Int64) throws(ZipReadError) {
        let order = records.indices.sorted { records[$0].headerOffset < records[$1].headerOffset }
        for (position, index) in order.enumerated() {
            let next = position + 1 < order.count ? records[order[position + 1]].headerOffset : directoryOffset
            guard records[index].minimalEnd <= next else {
                throw .corrupt("\"\(records[index].info.name)\" overlaps the entry after it")
            }
            records[index].dataLimit = next
        }
    }
}

/// The running totals that `ZipLimits` bounds, added up entry by entry.
struct ZipSizeTally {
    let limits: ZipLimits
    private var size: Int64 = 0
    private var compressed: Int64 = 0

    init(limits: ZipLimits) {
        self.limits = limits
    }

    mutating func add(_ entry: ZipEntryInfo) throws(ZipReadError) {
        guard entry.uncompressedSize <= limits.maxEntryUncompressedBytes else {
            throw .entryTooLarge(name: entry.name, limit: limits.maxEntryUncompressedBytes)
        }
        guard !exceedsRatio(entry.uncompressedSize, entry.compressedSize) else {
            throw .compressionRatio(name: entry.name, limit: limits.maxCompressionRatio)
        }
        guard entry.uncompressedSize <= limits.maxTotalUncompressedBytes - size else {
            throw .totalTooLarge(limit: limits.maxTotalUncompressedBytes)
        }
        size += entry.uncompressedSize
        // Entries are checked not to overlap only later, so their sum may exceed the file's size.
        let sum = compressed.addingReportingOverflow(entry.compressedSize)
        compressed = sum.overflow ? .max : sum.partialValue
        // Many entries each under the exemption could still add up to a bomb.
        guard !exceedsRatio(size, compressed) else {
            throw .compressionRatio(name: entry.name, limit: limits.maxCompressionRatio)
        }
    }

    private func exceedsRatio(_ size: Int64, _ compressed: Int64) -> Bool {
        guard size > limits.ratioExemptBytes else { return false }
        let allowed = compressed.multipliedReportingOverflow(by: limits.maxCompressionRatio)
        return !allowed.overflow && size > allowed.partialValue
    }
}
