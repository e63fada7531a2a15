/// Resampling, separably: rows first, into floats, then columns, each with weights computed once
/// per axis (`ResampleTaps`).
public enum Resize {
    /// Area averaging (see `ResampleTaps.area`): what training crops use, exact for downscaling.
    public static func area(_ bitmap: Bitmap, width: Int, height: Int) -> Bitmap {
        precondition(width > 0 && height > 0, "a bitmap has at least one pixel")
        if width == bitmap.width && height == bitmap.height { return bitmap }
        return resample(bitmap, columns: .area(source: bitmap.width, target: width),
                        rows: .area(source: bitmap.height, target: height))
    }

    /// Cubic convolution (see `ResampleTaps.cubic`): sharper than area averaging at small reductions,
    /// where area averaging aliases fine texture.
    public static func cubic(_ bitmap: Bitmap, width: Int, height: Int) -> Bitmap {
        precondition(width > 0 && height > 0, "a bitmap has at least one pixel")
        if width == bitmap.width && height == bitmap.height { return bitmap }
        return resample(bitmap, columns: .cubic(source: bitmap.width, target: width),
                        rows: .cubic(source: bitmap.height, target: height))
    }

    /// Scales with `cubic` so that the longer side is `longSide`, keeping the aspect ratio (each side
    /// at least 1 pixel). Never enlarges: a bitmap already within `longSide` comes back as it is.
    public static func fit(_ bitmap: Bitmap, longSide: Int) -> Bitmap {
        let size = fittedSize(width: bitmap.width, height: bitmap.height, longSide: longSide)
        return cubic(bitmap, width: size.width, height: size.height)
    }

    static func fittedSize(width: Int, height: Int, longSide: Int) -> (width: Int, height: Int) {
        let long = max(width, height)
        guard long > longSide else { return (width, height) }
        // Rounded to nearest: 640×480 fits 256 as 256×192.
        func scaled(_ side: Int) -> Int { max(1, (side * longSide + long / 2) / long) }
        return (scaled(width), scaled(height))
    }

    /// One output row at a time: its intermediate row, a weighted sum of whole source rows (a loop
    /// over contiguous samples that vectorizes), then the columns pass over that row, reading each
    /// pixel's channels as one 4-float vector. The intermediate stays in the L1 cache, and the result
    /// is rounded once.
    static func resample(_ bitmap: Bitmap, columns: ResampleTaps, rows: ResampleTaps) -> Bitmap {
        let c = bitmap.channels, width = columns.first.count, height = rows.first.count
        let sourceStride = bitmap.width * c, stride = width * c
        // One float of slack: a 3-channel pixel is read as 4 floats, the last one's reaching past the row.
        let middle = UnsafeMutablePointer<Float>.allocate(capacity: sourceStride + 1)
        defer { middle.deallocate() }
        middle[sourceStride] = 0
        // One byte of slack: a 3-channel pixel is stored as 4 bytes, the next pixel's first overwritten after.
        let pixels = [UInt8](unsafeUninitializedCapacity: stride * height + 1) { target, initialized in
            bitmap.pixels.withUnsafeBufferPointer { source in
                rows.weights.withUnsafeBufferPointer { rowWeights in
                    columns.first.withUnsafeBufferPointer { first in
                        columns.weights.withUnsafeBufferPointer { columnWeights in
                            for y in 0..<height {
                                sumRows(source.baseAddress! + rows.first[y] * sourceStride, stride: sourceStride,
                                        weights: rowWeights.baseAddress! + y * rows.count, taps: rows.count, into: middle)
                                sumColumns(middle, channels: c, into: target.baseAddress! + y * stride, width: width,
                                           first: first.baseAddress!, weights: columnWeights.baseAddress!, taps: columns.count)
                            }
                        }
                    }
                }
            }
            initialized = stride * height
        }
        return Bitmap(width: width, height: height, channels: c, pixels: pixels)
    }

    private static func sumRows(_ source: UnsafePointer<UInt8>, stride: Int, weights: UnsafePointer<Float>, taps: Int,
                                into out: UnsafeMutablePointer<Float>) {
        for i in 0..<stride { out[i] = weights[0] * Float(source[i]) }
        var row = source
        for tap in 1..<taps {
            row += stride
            let weight = weights[tap]
            for i in 0..<stride { out[i] += weight * Float(row[i]) }
        }
    }

    /// The common tap counts get a loop of constant length, which the compiler unrolls completely.
    private static func sumColumns(_ row: UnsafePointer<Float>, channels c: Int, into target: UnsafeMutablePointer<UInt8>,
                                   width: Int, first: UnsafePointer<Int>, weights: UnsafePointer<Float>, taps: Int) {
        switch (c, taps) {
        case (1, _): sumGrayColumns(row, into: target, width: width, first: first, weights: weights, taps: taps)
        case (_, 2): sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 2)
        case (_, 3): sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 3)
        case (_, 4): sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 4)
        case (_, 5): sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 5)
        case (_, 6): sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 6)
        default: sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: taps)
        }
    }

    /// Pointers and wrapping arithmetic: checked index arithmetic would cost more than the sums.
    @inline(__always)
    private static func sumColorColumns(_ row: UnsafePointer<Float>, channels c: Int, into target: UnsafeMutablePointer<UInt8>,
                                        width: Int, first: UnsafePointer<Int>, weights: UnsafePointer<Float>, taps: Int) {
        var out = UnsafeMutableRawPointer(target)
        var w = weights
        for x in 0..<width {
            var p = UnsafeRawPointer(row + first[x] &* c)
            var sum = SIMD4<Float>()
            for _ in 0..<taps {
                sum += w[0] * p.loadUnaligned(as: SIMD4<Float>.self)
                p += c &* 4
                w += 1
            }
            out.storeBytes(of: bytes(sum), as: SIMD4<UInt8>.self)
            out += c
        }
    }

    private static func sumGrayColumns(_ row: UnsafePointer<Float>, into target: UnsafeMutablePointer<UInt8>,
                                       width: Int, first: UnsafePointer<Int>, weights: UnsafePointer<Float>, taps: Int) {
        for x in 0..<width {
            let w = weights + x &* taps, pixel = row + first[x]
            var sum: Float = 0
            for tap in 0..<taps { sum += w[tap] * pixel[tap] }
            target[x] = bytes(SIMD4(sum, 0, 0, 0))[0]
        }
    }

    /// Rounded to nearest (ties to even) and clamped to 0...255. Spelled with bit operations on
    /// concrete vector types: the standard library's SIMD conversions and clamps are generic calls.
    @inline(__always)
    private static func bytes(_ sum: SIMD4<Float>) -> SIMD4<UInt8> {
        // Adding 1.5·2²³ leaves the rounded integer in the low mantissa bits.
        let magic: Float = 12_582_912
        var value = unsafeBitCast(sum + magic, to: SIMD4<Int32>.self) &- SIMD4(repeating: Int32(bitPattern: magic.bitPattern))
        value &= ~(value &>> 31)
        value |= (255 &- value) &>> 31
        return SIMD4<UInt8>(truncatingIfNeeded: value)
    }
}
