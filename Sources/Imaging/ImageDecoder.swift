import CJPEG
import CPNG

/// Turns PNG or JPEG bytes into an upright 8-bit bitmap. Every input is probed against the limits
/// before a pixel is decoded, and any damage the decoder meets is `ImageError.corrupt`.
public enum ImageDecoder {
    /// PNG of any bit depth and colour type (palette expanded, tRNS to alpha, 16 bits to 8, gray
    /// with alpha to RGBA, interlaced) or JPEG (gray, RGB, CMYK and YCCK to RGB), as RGB or RGBA.
    /// Opaque gray stays one channel only when `keepGray`. A JPEG's EXIF orientation is applied.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = ImageLimits(),
                              keepGray: Bool = false) throws(ImageError) -> Bitmap {
        try decode(bytes, minimumSide: nil, limits: limits, keepGray: keepGray)
    }

    /// Like `decode`, but lets libjpeg-turbo shrink a JPEG by 1/2, 1/4 or 1/8 while decoding: the
    /// largest reduction that leaves both sides at least `minimumSide`. Skipping most of the IDCT
    /// work is what makes thumbnails cheap. PNGs decode at full size.
    public static func decode(_ bytes: [UInt8], atLeast minimumSide: Int, limits: ImageLimits = ImageLimits(),
                              keepGray: Bool = false) throws(ImageError) -> Bitmap {
        try decode(bytes, minimumSide: max(1, minimumSide), limits: limits, keepGray: keepGray)
    }

    /// The denominator (1, 2, 4 or 8) for shrinking a `width` × `height` JPEG while decoding.
    /// libjpeg rounds scaled sides up, and so does this.
    static func scaleDenominator(width: Int, height: Int, minimumSide: Int) -> Int {
        [8, 4, 2].first { denominator in
            (min(width, height) + denominator - 1) / denominator >= minimumSide
        } ?? 1
    }

    private static func decode(_ bytes: [UInt8], minimumSide: Int?, limits: ImageLimits,
                               keepGray: Bool) throws(ImageError) -> Bitmap {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ImageError) in
                let info = try ImageProbe.probe(buffer, limits: limits)
                switch info.format {
                case .png:
                    return try png(buffer, limits: limits, keepGray: keepGray)
                case .jpeg:
                    let denominator = minimumSide.map {
                        scaleDenominator(width: info.width, height: info.height, minimumSide: $0)
                    } ?? 1
                    let bitmap = try jpeg(buffer, limits: limits, keepGray: keepGray, scaleDenominator: denominator,
                                          fast: minimumSide != nil)
                    return bitmap.oriented(ExifOrientation.of(jpeg: buffer))
                }
            }
        }.get()
    }

    private static func png(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits,
                            keepGray: Bool) throws(ImageError) -> Bitmap {
        // The probe refused an empty buffer, so there is an address.
        let data = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let reader = UnsafeMutablePointer<quarry_png_reader>.allocate(capacity: 1)
        defer {
            quarry_png_close(reader)
            reader.deallocate()
        }
        guard quarry_png_open(reader, data, bytes.count, UInt32(clamping: limits.maxDimension),
                              UInt64(clamping: limits.maxPixels), keepGray ? 1 : 0) == 0 else {
            throw .corrupt(message(&reader.pointee.message))
        }
        return try Bitmap(width: Int(reader.pointee.width), height: Int(reader.pointee.height),
                          channels: Int(reader.pointee.channels)) { (pixels) throws(ImageError) in
            guard quarry_png_read_pixels(reader, pixels.baseAddress!) == 0 else {
                throw .corrupt(message(&reader.pointee.message))
            }
        }
    }

    private static func jpeg(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits, keepGray: Bool,
                             scaleDenominator: Int, fast: Bool) throws(ImageError) -> Bitmap {
        let data = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let reader = UnsafeMutablePointer<quarry_jpeg_reader>.allocate(capacity: 1)
        defer {
            quarry_jpeg_close(reader)
            reader.deallocate()
        }
        guard quarry_jpeg_open(reader, data, bytes.count, UInt64(clamping: limits.maxPixels), keepGray ? 1 : 0,
                               Int32(scaleDenominator), fast ? 1 : 0) == 0 else {
            throw .corrupt(message(&reader.pointee.message))
        }
        return try Bitmap(width: Int(reader.pointee.width), height: Int(reader.pointee.height),
                          channels: Int(reader.pointee.channels)) { (pixels) throws(ImageError) in
            guard quarry_jpeg_read_pixels(reader, pixels.baseAddress!) == 0 else {
                throw .corrupt(message(&reader.pointee.message))
            }
        }
    }

    /// The C readers keep their reason in a fixed, NUL-terminated array, which Swift sees as a tuple.
    private static func message<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
}
