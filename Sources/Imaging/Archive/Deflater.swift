import CZlib

/// A raw deflate stream (no zlib header or checksum: ZIP stores its own CRC-32), reused across
/// entries because setting one up allocates a few hundred KiB.
final class Deflater {
    // zlib keeps a pointer back to the stream and checks it, so the stream must not move.
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)

    init() throws(ZipError) {
        stream.initialize(to: z_stream())
        // windowBits -15 asks for raw deflate with a 32 KiB window; memLevel 8 is zlib's default.
        let status = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            output.deallocate()
            throw .deflate(status: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Starts a new entry's stream.
    func reset() {
        deflateReset(stream)
    }

    /// Compresses `input` (at most 4 GiB), passing output to `sink` as it is produced. `finish`
    /// ends the stream: everything still held inside zlib comes out.
    func deflate(_ input: UnsafeRawBufferPointer, finish: Bool,
                 _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(output.count)
            let status = CZlib.deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
            // Z_BUF_ERROR only says no progress was possible this call; it is not fatal.
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ZipError.deflate(status: status)
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[..<produced])) }
            // Without finish, spare output space means all input was taken.
            if finish ? status == Z_STREAM_END : stream.pointee.avail_out > 0 { return }
        }
    }
}
