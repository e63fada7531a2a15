/// Bounds checked against the header before any pixel is decoded, so a small file that claims a
/// huge image (an image bomb) costs nothing. The defaults admit a 10,000 × 10,000 photo.
public struct ImageLimits: Sendable {
    /// Width × height.
    public var maxPixels: Int
    /// Either side; 65,535 is also JPEG's own ceiling.
    public var maxDimension: Int

    public init(maxPixels: Int = 100_000_000, maxDimension: Int = 65_535) {
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
    }

    func check(_ info: ImageInfo) throws(ImageError) {
        if info.width > maxDimension || info.height > maxDimension {
            throw .tooManyPixels(width: info.width, height: info.height, limit: maxDimension)
        }
        if info.width * info.height > maxPixels {
            throw .tooManyPixels(width: info.width, height: info.height, limit: maxPixels)
        }
    }
}
