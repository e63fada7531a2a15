/// The small JPEG previews the labeling UI lists.
public enum Thumbnail {
    /// The longer side of every thumbnail, unless the image itself is smaller.
    public static let longSide = 256
    static let quality = 80

    /// A JPEG whose longer side is `longSide` (smaller images keep their size), upright. A JPEG
    /// source is shrunk while decoding as far as the thumbnail's shorter side allows and, when it is
    /// YCbCr or gray, resized plane by plane without leaving YCbCr. `info` is the header's probe
    /// when the caller has it already.
    public static func make(
        from bytes: [UInt8], info known: ImageInfo? = nil, limits: ImageLimits = ImageLimits()
    ) throws(ImageError) -> [UInt8] {
        let info = if let known { known } else { try ImageProbe.probe(bytes, limits: limits) }
        // Orientation may swap the sides, but the shorter one is what bounds the reduction.
        let size = Resize.fittedSize(width: info.width, height: info.height, longSide: longSide)
        if info.format == .jpeg, let planes = try ImageDecoder.jpegPlanes(bytes, info: info, atLeast: min(size.width, size.height), limits: limits) {
            return try ImageEncoder.jpeg(planes: shrink(planes), quality: quality)
        }
        let bitmap = switch info.format {
        case .jpeg: try ImageDecoder.decode(bytes, atLeast: min(size.width, size.height), limits: limits, keepGray: true)
        case .png: try ImageDecoder.decode(bytes, limits: limits, keepGray: true)
        }
        return try ImageEncoder.jpeg(Resize.fit(bitmap, longSide: longSide), quality: quality)
    }

    /// Fits the luma plane within `longSide` and brings chroma, whatever its sampling, to half the
    /// luma size: 4:2:0, as `ImageEncoder.jpeg(planes:)` takes it, and as close to the RGB thumbnail
    /// an encoder would have subsampled as `Resize.chroma` can make it.
    public static func shrink(_ planes: [Plane]) -> [Plane] {
        let size = Resize.fittedSize(width: planes[0].width, height: planes[0].height, longSide: longSide)
        let alignment = ImageEncoder.planeAlignment(planes: planes.count)
        return planes.enumerated().map { index, plane in
            index == 0
                ? Resize.cubic(plane, width: size.width, height: size.height, alignment: alignment)
                : Resize.chroma(plane, lumaWidth: size.width, lumaHeight: size.height, alignment: alignment / 2)
        }
    }
}
