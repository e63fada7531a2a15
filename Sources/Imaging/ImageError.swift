/// Why an upload is not an image Quarry will store. Every case is the uploader's fault (a 4xx);
/// none says anything about the server.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither PNG nor JPEG by its magic number, whatever its name or declared content type.
    case unsupportedFormat
    /// Truncated, a bad checksum or marker, or the decoder's own complaint.
    case corrupt(String)
    /// `limit` is the pixel limit, or the per-side limit when a side is what is too long.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case empty

    public var description: String {
        switch self {
        case .unsupportedFormat:
            "not a PNG or JPEG image"
        case .corrupt(let reason):
            "corrupt image: \(reason)"
        case .tooManyPixels(let width, let height, let limit):
            "image is \(width)×\(height) pixels, over the limit of \(limit)"
        case .empty:
            "empty file"
        }
    }
}
