import CJPEG
import CPNG
import Glibc

/// Compresses bitmaps with libjpeg-turbo and libpng.
public enum ImageEncoder {
    /// Baseline JPEG at `quality` (clamped to 1...100). JPEG has no alpha, so RGBA is composited
    /// over white first, which is how a transparent image looks on a page.
    public static func jpeg(_ bitmap: Bitmap, quality: Int = 85) throws(ImageError) -> [UInt8] {
        let opaque = bitmap.channels == 4 ? bitmap.overWhite() : bitmap
        return try compress(opaque) { pixels, output, size, message in
            var input = quarry_jpeg_input()
            input.pixels = pixels
            input.channels = Int32(opaque.channels)
            return quarry_jpeg_encode(&input, UInt32(opaque.width), UInt32(opaque.height), clamped(quality), output, size, message, 256)
        }
    }

    /// Baseline JPEG at `quality` straight from gray or YCbCr planes, skipping the colour conversion
    /// and chroma downsampling that RGB input costs. The planes are as `Resize.cubic(_:width:height:alignment:)`
    /// makes them for `planeAlignment`: luma full size, chroma half as wide and high (rounded up).
    public static func jpeg(planes: [Plane], quality: Int = 85) throws(ImageError) -> [UInt8] {
        precondition(planes.count == 1 || planes.count == 3, "a JPEG has one (gray) or three (YCbCr) planes")
        let luma = planes[0], alignment = planeAlignment(planes: planes.count)
        for (index, plane) in planes.enumerated() {
            let scale = index == 0 ? 1 : 2, unit = alignment / scale
            precondition(plane.width == (luma.width + scale - 1) / scale && plane.height == (luma.height + scale - 1) / scale,
                         "chroma planes are half the luma plane, rounded up")
            precondition(plane.stride % unit == 0 && plane.rows >= (luma.height + alignment - 1) / alignment * unit,
                         "planes are padded to whole MCUs")
        }
        // A gray image passes its one plane three times; libjpeg reads only the first.
        let cb = planes[planes.count == 3 ? 1 : 0], cr = planes[planes.count - 1]
        return try compress(width: luma.width, height: luma.height) { output, size, message in
            luma.samples.withUnsafeBufferPointer { y in
                cb.samples.withUnsafeBufferPointer { u in
                    cr.samples.withUnsafeBufferPointer { v in
                        var input = quarry_jpeg_input()
                        input.planes = Int32(planes.count)
                        input.plane = (y.baseAddress, u.baseAddress, v.baseAddress)
                        input.plane_stride = (luma.stride, cb.stride, cr.stride)
                        return quarry_jpeg_encode(&input, UInt32(luma.width), UInt32(luma.height), clamped(quality), output, size, message, 256)
                    }
                }
            }
        }
    }

    /// The multiple that luma planes are padded to: one MCU, 16 samples with 2×2 chroma, 8 for gray.
    /// Chroma planes need half of it.
    public static func planeAlignment(planes: Int) -> Int { planes == 1 ? 8 : 16 }

    private static func clamped(_ quality: Int) -> Int32 { Int32(min(max(quality, 1), 100)) }

    /// 8-bit PNG: gray, RGB or RGBA as the bitmap is. Lossless.
    public static func png(_ bitmap: Bitmap) throws(ImageError) -> [UInt8] {
        try compress(bitmap) { pixels, output, size, message in
            quarry_png_encode(pixels, UInt32(bitmap.width), UInt32(bitmap.height), Int32(bitmap.channels),
                              output, size, message, 256)
        }
    }

    private static func compress(
        _ bitmap: Bitmap,
        _ encode: (UnsafePointer<UInt8>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                   UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> Int32
    ) throws(ImageError) -> [UInt8] {
        try compress(width: bitmap.width, height: bitmap.height) { output, size, message in
            bitmap.pixels.withUnsafeBufferPointer { pixels in encode(pixels.baseAddress!, output, size, message) }
        }
    }

    /// Both C encoders hand back a malloc'd buffer, copied here into an array and freed.
    private static func compress(
        width: Int, height: Int,
        _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> Int32
    ) throws(ImageError) -> [UInt8] {
        // Both formats store sides in 16 (JPEG) or 31 (PNG) bits; libjpeg's own limit is 65,500.
        guard width <= 65_500, height <= 65_500 else {
            throw .tooManyPixels(width: width, height: height, limit: 65_500)
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = encode(&output, &size, &message)
        guard status == 0, let output else {
            throw .corrupt(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        defer { free(output) }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}

extension Bitmap {
    /// RGB as the RGBA image would look on white: c·a + 255·(255 − a), over 255, rounded.
    func overWhite() -> Bitmap {
        let count = width * height
        var rgb = [UInt8](repeating: 0, count: count * 3)
        pixels.withUnsafeBufferPointer { source in
            rgb.withUnsafeMutableBufferPointer { target in
                for i in 0..<count {
                    let alpha = UInt32(source[i * 4 + 3]), white = 255 * (255 - alpha) + 127
                    for c in 0..<3 {
                        target[i * 3 + c] = UInt8((UInt32(source[i * 4 + c]) * alpha + white) / 255)
                    }
                }
            }
        }
        return Bitmap(width: width, height: height, channels: 3, pixels: rgb)
    }
}
