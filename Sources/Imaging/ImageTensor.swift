/// Bitmaps as model input.
public enum ImageTensor {
    /// ImageNet's per-channel statistics: every model Quarry trains sees its input normalized by them,
    /// and an exported model's metadata says so.
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// Channels-first (CHW) float32 RGB of the raw pixel values (0 to 255), for a backend that normalizes
    /// them itself as they go up (`PixelNormalization`). Alpha is dropped and gray repeated.
    public static func pixels(_ bitmap: Bitmap) -> [Float] {
        let plane = bitmap.width * bitmap.height, c = bitmap.channels
        var tensor = [Float](repeating: 0, count: plane * 3)
        bitmap.pixels.withUnsafeBufferPointer { source in
            tensor.withUnsafeMutableBufferPointer { target in
                for channel in 0..<3 {
                    let from = c == 1 ? 0 : channel, base = channel * plane
                    for i in 0..<plane { target[base + i] = Float(source[i * c + from]) }
                }
            }
        }
        return tensor
    }

    /// Channels-first (CHW) float32 RGB, each value (pixel / 255 − mean[c]) / std[c]; the defaults
    /// are ImageNet's. Alpha is dropped and gray repeated into all three channels.
    public static func normalized(_ bitmap: Bitmap, mean: [Float] = imageNetMean, std: [Float] = imageNetStd) -> [Float] {
        precondition(mean.count == 3 && std.count == 3, "mean and std have one value per RGB channel")
        let plane = bitmap.width * bitmap.height, c = bitmap.channels
        var tensor = [Float](repeating: 0, count: plane * 3)
        bitmap.pixels.withUnsafeBufferPointer { source in
            tensor.withUnsafeMutableBufferPointer { target in
                for channel in 0..<3 {
                    // One multiply-add per value: (p/255 − m)/s = p·(1/(255s)) − m/s.
                    let scale = 1 / (255 * std[channel]), offset = -mean[channel] / std[channel]
                    let from = c == 1 ? 0 : channel, base = channel * plane
                    for i in 0..<plane { target[base + i] = Float(source[i * c + from]) * scale + offset }
                }
            }
        }
        return tensor
    }
}
