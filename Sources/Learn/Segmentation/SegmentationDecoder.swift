import Foundation

/// A segmenter's logits made into each image's class mask at any size: every class's logits are resized
/// bilinearly (PyTorch's `interpolate(mode="bilinear", align_corners=False)`, ONNX's Resize linear with
/// half-pixel coordinates) and each pixel takes its best class, the lower on ties.
public struct SegmentationDecoder: Sendable {
    public init() {}

    /// `output` (N, K, h, w) on the host → N masks of `width` × `height`, row-major, values 0..<K.
    public func masks(_ output: [Float], shape: [Int], width: Int, height: Int) -> [[UInt8]] {
        precondition(shape.count == 4 && shape[1] <= 256, "segmenter logits \(shape)")
        let (classes, rows, columns) = (shape[1], shape[2], shape[3])
        let plane = rows * columns
        let xs = Self.taps(from: columns, to: width), ys = Self.taps(from: rows, to: height)
        return (0..<shape[0]).map { image in
            var best = [Float](repeating: -.infinity, count: width * height)
            var mask = [UInt8](repeating: 0, count: width * height)
            for c in 0..<classes {
                let base = (image * classes + c) * plane
                for (y, row) in ys.enumerated() {
                    for (x, column) in xs.enumerated() {
                        let top = output[base + row.low * columns + column.low] * (1 - column.weight)
                            + output[base + row.low * columns + column.high] * column.weight
                        let bottom = output[base + row.high * columns + column.low] * (1 - column.weight)
                            + output[base + row.high * columns + column.high] * column.weight
                        let value = top * (1 - row.weight) + bottom * row.weight
                        if value > best[y * width + x] {
                            best[y * width + x] = value
                            mask[y * width + x] = UInt8(c)
                        }
                    }
                }
            }
            return mask
        }
    }

    /// For each output position, the two source positions around it and the far one's weight: the source
    /// coordinate (i + ½)·in/out − ½, clamped at 0, as align_corners=False takes it.
    static func taps(from source: Int, to target: Int) -> [(low: Int, high: Int, weight: Float)] {
        (0..<target).map { i in
            let position = max(0, (Float(i) + 0.5) * Float(source) / Float(target) - 0.5)
            let low = min(Int(position), source - 1)
            return (low, min(low + 1, source - 1), position - Float(low))
        }
    }

    /// Per class, the mean over the pixels `mask` gives it of the class's softmax probability there (the
    /// logits resized as `masks` resizes them); 0 for a class with no pixel.
    public func meanProbabilities(_ output: [Float], shape: [Int], of mask: [UInt8], width: Int, height: Int) -> [Double] {
        precondition(shape.count == 4 && shape[0] == 1 && mask.count == width * height, "one image's logits \(shape) and its mask")
        let (classes, rows, columns) = (shape[1], shape[2], shape[3])
        let plane = rows * columns
        let xs = Self.taps(from: columns, to: width), ys = Self.taps(from: rows, to: height)
        var sums = [Double](repeating: 0, count: classes), counts = [Int](repeating: 0, count: classes)
        var logits = [Double](repeating: 0, count: classes)
        for (y, row) in ys.enumerated() {
            for (x, column) in xs.enumerated() {
                for c in 0..<classes {
                    let base = c * plane
                    let top = output[base + row.low * columns + column.low] * (1 - column.weight)
                        + output[base + row.low * columns + column.high] * column.weight
                    let bottom = output[base + row.high * columns + column.low] * (1 - column.weight)
                        + output[base + row.high * columns + column.high] * column.weight
                    logits[c] = Double(top * (1 - row.weight) + bottom * row.weight)
                }
                let best = Int(mask[y * width + x]), largest = logits.max()!
                let sum = logits.reduce(0) { $0 + exp($1 - largest) }
                sums[best] += exp(logits[best] - largest) / sum
                counts[best] += 1
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : 0 }
    }
}
