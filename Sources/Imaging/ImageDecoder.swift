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

    /// A YCbCr or gray JPEG's components as stored (luma, then chroma at its own sampling), upright,
    /// shrunk while decoding as `decode(_:atLeast:)` does, with the fast IDCT: what a thumbnail
    /// that is encoded as YCbCr again needs. Nil for PNG and for CMYK, YCCK or RGB-coded JPEGs. `info`
    /// is the header's probe when the caller has it already.
    public static func jpegPlanes(_ bytes: [UInt8], info known: ImageInfo? = nil, atLeast minimumSide: Int,
                                  limits: ImageLimits = ImageLimits()) throws(ImageError) -> [Plane]? {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ImageError) -> [Plane]? in
                let info = if let known { known } else { try ImageProbe.probe(buffer, limits: limits) }
                guard info.format == .jpeg else { return nil }
                let denominator = scaleDenominator(width: info.width, height: info.height, minimumSide: max(1, minimumSide))
                let orientation = ExifOrientation.of(jpeg: buffer)
                return try jpegPlanes(buffer, limits: limits, scaleDenominator: denominator)?.map { $0.oriented(orientation) }
            }
        }.get()
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
                               Int32(scaleDenominator), fast ? 1 : 0, 0) == 0 else {
            throw .corrupt(message(&reader.pointee.message))
        }
        return try Bitmap(width: Int(reader.pointee.width), height: Int(reader.pointee.height),
                          channels: Int(reader.pointee.channels)) { (pixels) throws(ImageError) in
            guard quarry_jpeg_read_pixels(reader, pixels.baseAddress!) == 0 else {
                throw .corrupt(message(&reader.pointee.message))
            }
        }
    }

    private static func jpegPlanes(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits,
                                   scaleDenominator: Int) throws(ImageError) -> [Plane]? {
        let data = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let reader = UnsafeMutablePointer<quarry_jpeg_reader>.allocate(capacity: 1)
        defer {
            quarry_jpeg_close(reader)
            reader.deallocate()
        }
        guard quarry_jpeg_open(reader, data, bytes.count, UInt64(clamping: limits.maxPixels), 1, Int32(scaleDenominator), 1, 1) == 0 else {
            throw .corrupt(message(&reader.pointee.message))
        }
        let count = Int(reader.pointee.planes)
        guard count > 0 else { return nil }
        let r = reader.pointee
        func field(_ tuple: (UInt32, UInt32, UInt32), _ index: Int) -> Int {
            Int([tuple.0, tuple.1, tuple.2][index])
        }
        let buffers = (0..<count).map { c in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: field(r.plane_stride, c) * field(r.plane_rows, c))
            // libjpeg leaves the padding rows of the last block row unwritten.
            buffer.initialize(repeating: 0)
            return buffer
        }
        defer { for buffer in buffers { buffer.deallocate() } }
        let status = buffers.map { Optional($0.baseAddress!) }.withUnsafeBufferPointer { pointers in
            quarry_jpeg_read_planes(reader, pointers.baseAddress!)
        }
        guard status == 0 else { throw .corrupt(message(&reader.pointee.message)) }
        return (0..<count).map { c in
            Plane(width: field(r.plane_width, c), height: field(r.plane_height, c), stride: field(r.plane_stride, c),
                  samples: Array(buffers[c]))
        }
    }

    /// The C readers keep their reason in a fixed, NUL-terminated array, which Swift sees as a tuple.
    private static func message<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
}
