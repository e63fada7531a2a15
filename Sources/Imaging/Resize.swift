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
                columns.withTaps { first, ends, weights in
                    for y in 0..<bitmap.height {
                        let sourceRow = source.baseAddress! + y * bitmap.width * c
                        var out = target.baseAddress! + y * stride
                        var tap = 0
                        for x in 0..<width {
                            // One pixel's channels accumulate in a register, not in `narrow`.
                            var sum = SIMD4<Float>()
                            var s = sourceRow + first[x] * c
                            while tap < ends[x] {
                                // Spelled out per channel count: a branch that always goes
                                // the same way, where a loop over `c` ran several times slower.
                                let sample: SIMD4<Float> = switch c {
                                case 1: SIMD4(Float(s[0]), 0, 0, 0)
                                case 3: SIMD4(Float(s[0]), Float(s[1]), Float(s[2]), 0)
                                default: SIMD4(Float(s[0]), Float(s[1]), Float(s[2]), Float(s[3]))
                                }
                                sum += weights[tap] * sample
                                s += c
                                tap += 1
                            }
                            for k in 0..<c { out[k] = sum[k] }
                            out += c
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
                        for tap in rows.range(y) {
                            let row = source.baseAddress! + (rows.first(y) + tap - rows.range(y).lowerBound) * stride
                            let weight = rows.weight(tap)
                            for i in 0..<stride { sum[i] += weight * row[i] }
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
/// divided by s, so they sum to 1. Flat arrays, so the resampling loops index without allocating.
struct Footprint {
    /// The first source index of output i, and where its weights end in `weights` (they begin
    /// where output i − 1's end).
    private var firsts: [Int] = []
    private var ends: [Int] = []
    private var weights: [Float] = []

    init(source: Int, target: Int) {
        let scale = Double(source) / Double(target)
        for i in 0..<target {
            let low = Double(i) * scale, high = min(Double(i + 1) * scale, Double(source))
            let first = Int(low), last = max(first, Int((high - 1e-9).rounded(.up)) - 1)
            for index in first...min(last, source - 1) {
                let overlap = min(high, Double(index + 1)) - max(low, Double(index))
                weights.append(Float(overlap / (high - low)))
            }
            firsts.append(first)
            ends.append(weights.count)
        }
    }

    func first(_ i: Int) -> Int { firsts[i] }
    func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }
    func weight(_ tap: Int) -> Float { weights[tap] }

    func withTaps<T>(_ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Float>) -> T) -> T {
        firsts.withUnsafeBufferPointer { firsts in
            ends.withUnsafeBufferPointer { ends in
                weights.withUnsafeBufferPointer { body(firsts.baseAddress!, ends.baseAddress!, $0.baseAddress!) }
            }
        }
    }
}
