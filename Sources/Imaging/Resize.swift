/// Resampling by area averaging: each output pixel is the mean of the source area it covers,
/// partly covered source pixels counting by the fraction covered. Exact for downscaling, where
/// point sampling would alias; upscaling with the same weights blends at most two neighbours.
public enum Resize {
    public static func area(_ bitmap: Bitmap, width: Int, height: Int) -> Bitmap {
        precondition(width > 0 && height > 0, "a bitmap has at least one pixel")
        if width == bitmap.width && height == bitmap.height { return bitmap }
        let c = bitmap.channels
        let columns = Footprint(source: bitmap.width, target: width)
        let rows = Footprint(source: bitmap.height, target: height)
        // Columns first, into floats, one source row at a time; then rows, so each output row is
        // a weighted sum of a few whole intermediate rows, a loop the compiler vectorizes.
        let stride = width * c
        var narrow = [Float](repeating: 0, count: stride * bitmap.height)
        bitmap.pixels.withUnsafeBufferPointer { source in
            narrow.withUnsafeMutableBufferPointer { target in
                for y in 0..<bitmap.height {
                    let sourceRow = y * bitmap.width * c, targetRow = y * stride
                    for x in 0..<width {
                        for (index, weight) in columns.taps(x) {
                            let s = sourceRow + index * c, t = targetRow + x * c
                            for k in 0..<c { target[t + k] += weight * Float(source[s + k]) }
                        }
                    }
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: stride * height)
        var sum = [Float](repeating: 0, count: stride)
        narrow.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                sum.withUnsafeMutableBufferPointer { sum in
                    for y in 0..<height {
                        sum.update(repeating: 0)
                        for (index, weight) in rows.taps(y) {
                            let row = index * stride
                            for i in 0..<stride { sum[i] += weight * source[row + i] }
                        }
                        let out = y * stride
                        // Weights sum to 1, so a sum never leaves 0...255 by more than rounding.
                        for i in 0..<stride { target[out + i] = UInt8(min(max(sum[i] + 0.5, 0), 255)) }
                    }
                }
            }
        }
        return Bitmap(width: width, height: height, channels: c, pixels: pixels)
    }

    /// Scales so that the longer side is `longSide`, keeping the aspect ratio (each side at least 1
    /// pixel). Never enlarges: a bitmap already within `longSide` comes back as it is.
    public static func fit(_ bitmap: Bitmap, longSide: Int) -> Bitmap {
        let size = fittedSize(width: bitmap.width, height: bitmap.height, longSide: longSide)
        return area(bitmap, width: size.width, height: size.height)
    }

    static func fittedSize(width: Int, height: Int, longSide: Int) -> (width: Int, height: Int) {
        let long = max(width, height)
        guard long > longSide else { return (width, height) }
        // Rounded to nearest: 640×480 fits 256 as 256×192.
        func scaled(_ side: Int) -> Int { max(1, (side * longSide + long / 2) / long) }
        return (scaled(width), scaled(height))
    }
}

/// For each output index along one axis, the source indices it covers and their weights. Output
/// pixel i covers source [i·s, (i+1)·s) with s = source / target; the weights are the overlaps
/// divided by s, so they sum to 1.
struct Footprint {
    private var starts: [Int] = []
    private var ranges: [Range<Int>] = []
    private var weights: [Float] = []

    init(source: Int, target: Int) {
        let scale = Double(source) / Double(target)
        for i in 0..<target {
            let low = Double(i) * scale, high = min(Double(i + 1) * scale, Double(source))
            let first = Int(low), last = max(first, Int((high - 1e-9).rounded(.up)) - 1)
            let start = weights.count
            for index in first...min(last, source - 1) {
                let overlap = min(high, Double(index + 1)) - max(low, Double(index))
                weights.append(Float(overlap / (high - low)))
            }
            starts.append(first)
            ranges.append(start..<weights.count)
        }
    }

    func taps(_ i: Int) -> some Sequence<(Int, Float)> {
        let first = starts[i]
        return ranges[i].lazy.map { (first + $0 - ranges[i].lowerBound, weights[$0]) }
    }
}
