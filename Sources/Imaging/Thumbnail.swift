/// The small JPEG previews the labeling UI lists.
public enum Thumbnail {
    /// The longer side of every thumbnail, unless the image itself is smaller.
    public static let longSide = 256
    static let quality = 80

    /// A JPEG whose longer side is `longSide` (smaller images keep their size), upright. A JPEG
    /// source is shrunk while decoding as far as the thumbnail's shorter side allows. `info` is the
    /// header's probe when the caller has it already.
    public static func make(
        from bytes: [UInt8], info known: ImageInfo? = nil, limits: ImageLimits = ImageLimits()
    ) throws(ImageError) -> [UInt8] {
        let info = if let known { known } else { try ImageProbe.probe(bytes, limits: limits) }
        // Orientation may swap the sides, but the shorter one is what bounds the reduction.
        let size = Resize.fittedSize(width: info.width, height: info.height, longSide: longSide)
        let bitmap = switch info.format {
        case .jpeg: try ImageDecoder.decode(bytes, atLeast: min(size.width, size.height), limits: limits, keepGray: true)
        case .png: try ImageDecoder.decode(bytes, limits: limits, keepGray: true)
        }
        return try ImageEncoder.jpeg(Resize.fit(bitmap, longSide: longSide), quality: quality)
    }
}
