import CJPEG
import CPNG

extension ImageProbe {
    /// Probes, then decodes every row with libpng or libjpeg-turbo, keeping one row at a time, so a
    /// file whose header is fine but whose data is truncated or damaged is refused. Returns what
    /// `probe` would. Costs a full decode: run it once, when the upload arrives.
    public static func verify(_ bytes: UnsafeRawBufferPointer,
                              limits: ImageLimits = ImageLimits()) throws(ImageError) -> ImageInfo {
        let info = try probe(bytes, limits: limits)
        // The probe refuses an empty buffer, so there is an address.
        let data = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let maxPixels = UInt64(clamping: limits.maxPixels)
        var message = [CChar](repeating: 0, count: 256)
        let status = switch info.format {
        case .png:
            quarry_png_verify(data, bytes.count, UInt32(clamping: limits.maxDimension), maxPixels,
                              &message, message.count)
        case .jpeg:
            quarry_jpeg_verify(data, bytes.count, maxPixels, &message, message.count)
        }
        guard status == 0 else {
            throw .corrupt(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return info
    }

    public static func verify(_ bytes: [UInt8], limits: ImageLimits = ImageLimits()) throws(ImageError) -> ImageInfo {
        // withUnsafeBytes only rethrows untyped errors; a Result carries the typed one through.
        try bytes.withUnsafeBytes { buffer in Result { () throws(ImageError) in try verify(buffer, limits: limits) } }.get()
    }

    /// The file is mapped rather than read, so its size costs address space, not memory. Throws
    /// `FileSystemError` when it cannot be opened or mapped, else `ImageError`.
    public static func verify(fileAt path: String, limits: ImageLimits = ImageLimits()) throws -> ImageInfo {
        try MappedFile.withBytes(ofFile: path) { try verify($0, limits: limits) }
    }
}
