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
            quarry_jpeg_encode(pixels, UInt32(opaque.width), UInt32(opaque.height), Int32(opaque.channels),
                               Int32(min(max(quality, 1), 100)), output, size, message, 256)
        }
    }

    /// 8-bit PNG: gray, RGB or RGBA as the bitmap is. Lossless.
    public static func png(_ bitmap: Bitmap) throws(ImageError) -> [UInt8] {
        try compress(bitmap) { pixels, output, size, message in
            quarry_png_encode(pixels, UInt32(bitmap.width), UInt32(bitmap.height), Int32(bitmap.channels),
                              output, size, message, 256)
        }
    }

    /// Both C encoders hand back a malloc'd buffer, copied here into an array and freed.
    private static func compress(
        _ bitmap: Bitmap,
        _ encode: (UnsafePointer<UInt8>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                   UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> Int32
    ) throws(ImageError) -> [UInt8] {
        // Both formats store sides in 16 (JPEG) or 31 (PNG) bits; libjpeg's own limit is 65,500.
        guard bitmap.width <= 65_500, bitmap.height <= 65_500 else {
            throw .tooManyPixels(width: bitmap.width, height: bitmap.height, limit: 65_500)
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bitmap.pixels.withUnsafeBufferPointer { pixels in
            encode(pixels.baseAddress!, &output, &size, &message)
        }
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
