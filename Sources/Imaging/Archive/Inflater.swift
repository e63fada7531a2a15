import CZlib

/// A raw deflate stream being inflated (no zlib header or checksum: ZIP stores its own CRC-32).
/// One per extraction, so extractions can run side by side; inflating needs only its 32 KiB window.
final class Inflater {
    // zlib keeps a pointer back to the stream and checks it, so the stream must not move.
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)

    init() {
        stream.initialize(to: z_stream())
        // windowBits -15 asks for raw deflate with up to a 32 KiB window. Setting up fails only
        // when out of memory, which Swift's own allocations treat as fatal too.
        let status = inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "inflateInit2 failed with status \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Inflates `input` (at most 4 GiB), passing output to `sink` in pieces of at most 256 KiB as it
    /// is produced. Returns nil while the stream wants more input, or once it has ended, how many
    /// bytes of `input` were left over after its end.
    func inflate(_ input: UnsafeRawBufferPointer, name: String,
                 _ sink: (UnsafeRawBufferPointer) throws(ZipReadError) -> Void) throws(ZipReadError) -> Int? {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(output.count)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            // Z_BUF_ERROR only says no progress was possible without more input; it is not fatal.
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw .corrupt("\"\(name)\" has invalid deflate data (zlib status \(status))")
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[..<produced])) }
            if status == Z_STREAM_END { return Int(stream.pointee.avail_in) }
            // Spare output space means zlib took all the input it could use.
            if stream.pointee.avail_out > 0 || status == Z_BUF_ERROR { return nil }
        }
    }
}
