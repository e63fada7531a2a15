/// Reads the central directory front to back through a window of at most a few MiB, so a
/// directory of any size costs the same memory while each record is still one cheap slice.
struct ZipDirectoryCursor {
    private let file: ZipArchiveFile
    private(set) var position: Int64
    let end: Int64
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0

    init(file: ZipArchiveFile, location: ZipDirectoryLocation) {
        self.file = file
        position = location.offset
        end = location.offset + location.size
    }

    var isAtEnd: Bool { position == end }

    /// The next `count` bytes; corrupt when the directory ends first.
    mutating func take(_ count: Int) throws(ZipReadError) -> ArraySlice<UInt8> {
        guard Int64(count) <= end - position else { throw .corrupt("a central directory record runs past its end") }
        if position + Int64(count) > windowStart + Int64(window.count) {
            // Records are at most 46 + 3 × 65,535 bytes, so a window is never far over 1 MiB.
            let length = Int(min(end - position, max(Int64(count), 1 << 20)))
            window = try file.bytes(at: position, count: length)
            windowStart = position
        }
        let start = Int(position - windowStart)
        position += Int64(count)
        return window[start..<start + count]
    }
}
