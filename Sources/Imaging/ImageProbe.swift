/// Decides whether uploaded bytes are an image Quarry will keep. Every byte is treated as hostile:
/// the format comes from magic numbers alone, and sizes are checked against `ImageLimits` before
/// anything is decoded.
public enum ImageProbe {
    /// Format and dimensions from the header alone. Cheap enough to run on every upload; it does
    /// not prove the pixel data is intact (`verify` does).
    public static func probe(_ bytes: UnsafeRawBufferPointer,
                             limits: ImageLimits = ImageLimits()) throws(ImageError) -> ImageInfo {
        let info = switch try format(of: bytes) {
        case .png: try PNGHeader.parse(bytes)
        case .jpeg: try JPEGHeader.parse(bytes)
        }
        try limits.check(info)
        return info
    }

    public static func probe(_ bytes: [UInt8], limits: ImageLimits = ImageLimits()) throws(ImageError) -> ImageInfo {
        // withUnsafeBytes only rethrows untyped errors; a Result carries the typed one through.
        try bytes.withUnsafeBytes { buffer in Result { () throws(ImageError) in try probe(buffer, limits: limits) } }.get()
    }

    private static func format(of bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageFormat {
        guard !bytes.isEmpty else { throw .empty }
        for (format, magic) in [(ImageFormat.png, PNGHeader.signature), (.jpeg, JPEGHeader.magic)]
        where zip(bytes, magic).allSatisfy({ $0 == $1 }) {
            // The bytes so far match, but the file ends inside the signature.
            guard bytes.count >= magic.count else { throw .corrupt("truncated within the \(format) signature") }
            return format
        }
        throw .unsupportedFormat
    }
}
