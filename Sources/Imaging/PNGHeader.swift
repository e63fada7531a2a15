import CZlib

/// Reads a PNG's dimensions from its signature and IHDR, the chunk the specification requires first.
/// https://www.w3.org/TR/png-3/#11IHDR
enum PNGHeader {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let ihdr = 0x4948_4452

    /// Permitted bit depths for each colour type (greyscale, truecolour, indexed, grey+alpha, RGBA).
    private static let bitDepths: [Int: Set<Int>] = [
        0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
    ]

    /// `bytes` starts with the signature.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageInfo {
        // Signature (8), then the chunk: length (4), type (4), 13 bytes of data, CRC (4).
        guard let length = bytes.bigEndian32(at: 8), let type = bytes.bigEndian32(at: 12),
              let storedCRC = bytes.bigEndian32(at: 29), let base = bytes.baseAddress else {
            throw .corrupt("truncated before the end of IHDR")
        }
        guard type == ihdr, length == 13 else { throw .corrupt("the first chunk is not a 13-byte IHDR") }
        // The CRC covers the chunk type and data, not the length.
        guard Int(crc32_z(0, (base + 12).assumingMemoryBound(to: UInt8.self), 17)) == storedCRC else {
            throw .corrupt("IHDR CRC mismatch")
        }
        let width = bytes.bigEndian32(at: 16)!, height = bytes.bigEndian32(at: 20)!
        let bitDepth = bytes.byte(at: 24)!, colourType = bytes.byte(at: 25)!
        // PNG caps each side at 2^31 - 1.
        guard (1...0x7FFF_FFFF).contains(width), (1...0x7FFF_FFFF).contains(height) else {
            throw .corrupt("IHDR gives a size of \(width)×\(height)")
        }
        guard bitDepths[colourType]?.contains(bitDepth) == true else {
            throw .corrupt("IHDR gives colour type \(colourType) with bit depth \(bitDepth)")
        }
        guard bytes.byte(at: 26) == 0, bytes.byte(at: 27) == 0, bytes.byte(at: 28)! <= 1 else {
            throw .corrupt("IHDR gives an unknown compression, filter or interlace method")
        }
        return ImageInfo(format: .png, width: width, height: height)
    }
}
