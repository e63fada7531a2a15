/// Decoded pixels: 8 bits a sample, row-major, top row first, no padding between rows. `channels`
/// is 1 (gray), 3 (RGB) or 4 (RGBA).
public struct Bitmap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "a bitmap has at least one pixel")
        precondition([1, 3, 4].contains(channels), "a bitmap has 1, 3 or 4 channels")
        precondition(pixels.count == width * height * channels, "pixels do not fill \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Allocates once and lets `fill` write every byte, so decoders skip zeroing the buffer first.
    init(width: Int, height: Int, channels: Int,
         fill: (UnsafeMutableBufferPointer<UInt8>) throws(ImageError) -> Void) throws(ImageError) {
        let count = width * height * channels
        var failure: ImageError?
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(ImageError) {
                try fill(buffer)
            } catch {
                // Zeroed so the array never holds uninitialized bytes, even on its way out.
                buffer.initialize(repeating: 0)
                failure = error
            }
            initialized = count
        }
        if let failure { throw failure }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }
}
