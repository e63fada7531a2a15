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

    /// Resamples one plane with `cubic` to `width` × `height`, into a buffer padded to a multiple of
    /// `alignment` each way and filled by repeating the edges: the layout a JPEG encoder reads.
    public static func cubic(_ plane: Plane, width: Int, height: Int, alignment: Int) -> Plane {
        resample(plane, width: width, height: height, alignment: alignment) {
            PlaneTaps.cubic(columns: (plane.width, width), rows: (plane.height, height), pairs: false)
        }
    }

    /// Resamples a chroma plane to half of `lumaWidth` × `lumaHeight` (rounded up), padded as `cubic`
    /// pads, as if it were resized with `cubic` to the luma size and then averaged 2×2, which is
    /// what an encoder does to the chroma of a full-size image. A plane already that size is kept.
    public static func chroma(_ plane: Plane, lumaWidth: Int, lumaHeight: Int, alignment: Int) -> Plane {
        resample(plane, width: (lumaWidth + 1) / 2, height: (lumaHeight + 1) / 2, alignment: alignment) {
            PlaneTaps.cubic(columns: (plane.width, lumaWidth), rows: (plane.height, lumaHeight), pairs: true)
        }
    }

    private static func resample(_ plane: Plane, width: Int, height: Int, alignment: Int,
                                 axes: () -> PlaneTaps.Axes) -> Plane {
        precondition(width > 0 && height > 0, "a plane has at least one sample")
        // Rows are whole blocks of the columns pass wide, which stores `lanes` samples at a time.
        let padded = (width + alignment - 1) / alignment * alignment, lanes = BlockedTaps.lanes
        let stride = (padded + lanes - 1) / lanes * lanes, rows = (height + alignment - 1) / alignment * alignment
        var out = Plane(width: width, height: height, stride: stride, rows: rows) { target in
            plane.samples.withUnsafeBufferPointer { source in
                if width == plane.width && height == plane.height {
                    for y in 0..<height { (target + y * stride).update(from: source.baseAddress! + y * plane.stride, count: width) }
                } else {
                    let axes = axes()
                    resampleSamples(source.baseAddress!, width: plane.width, stride: plane.stride, columns: axes.columns,
                                    rows: axes.rows, into: target, stride: stride)
                }
            }
        }
        out.replicateEdges()
        return out
    }

    static func resample(_ bitmap: Bitmap, columns: ResampleTaps, rows: ResampleTaps) -> Bitmap {
        let c = bitmap.channels, width = columns.first.count, height = rows.first.count
        // Slack: a 3-channel pixel is stored as 4 bytes, the next pixel's first overwritten after, and
        // one channel is stored a block of `lanes` at a time.
        let pixels = [UInt8](unsafeUninitializedCapacity: width * c * height + BlockedTaps.lanes) { target, initialized in
            bitmap.pixels.withUnsafeBufferPointer { source in
                if c == 1 {
                    resampleSamples(source.baseAddress!, width: bitmap.width, stride: bitmap.width,
                                    columns: BlockedTaps(columns, source: bitmap.width), rows: rows,
                                    into: target.baseAddress!, stride: width)
                } else {
                    resamplePixels(source.baseAddress!, width: bitmap.width, channels: c, columns: columns, rows: rows,
                                   into: target.baseAddress!)
                }
            }
            initialized = width * c * height
        }
        return Bitmap(width: width, height: height, channels: c, pixels: pixels)
    }

    /// Pixels of 3 or 4 channels, packed, reading each pixel's channels as one 4-float vector.
    private static func resamplePixels(_ source: UnsafePointer<UInt8>, width sourceWidth: Int, channels c: Int,
                                       columns: ResampleTaps, rows: ResampleTaps, into target: UnsafeMutablePointer<UInt8>) {
        let width = columns.first.count
        columns.first.withUnsafeBufferPointer { first in
            columns.weights.withUnsafeBufferPointer { weights in
                resample(source, length: sourceWidth * c, stride: sourceWidth * c, rows: rows) { y, middle in
                    sumColumns(middle, channels: c, into: target + y * width * c, width: width,
                               first: first.baseAddress!, weights: weights.baseAddress!, taps: columns.count)
                }
            }
        }
    }

    /// One channel, rows `stride` apart, `BlockedTaps.lanes` outputs at a time; rows are written whole
    /// blocks wide.
    private static func resampleSamples(_ source: UnsafePointer<UInt8>, width sourceWidth: Int, stride sourceStride: Int,
                                        columns: BlockedTaps, rows: ResampleTaps,
                                        into target: UnsafeMutablePointer<UInt8>, stride: Int) {
        columns.base.withUnsafeBufferPointer { base in
            columns.weights.withUnsafeBufferPointer { weights in
                resample(source, length: sourceWidth, stride: sourceStride, rows: rows) { y, middle in
                    sumBlocks(middle, into: target + y * stride, base: base, weights: weights.baseAddress!, span: columns.span)
                }
            }
        }
    }

    /// One output row at a time: its intermediate row, a weighted sum of whole source rows (a loop
    /// over contiguous samples that vectorizes), then `columns(y, intermediate)`, the columns pass
    /// over that row. The intermediate stays in the L1 cache, and the result is rounded once.
    private static func resample(_ source: UnsafePointer<UInt8>, length: Int, stride: Int, rows: ResampleTaps,
                                 columns: (Int, UnsafePointer<Float>) -> Void) {
        // One float of slack: a 3-channel pixel is read as 4 floats, the last one's reaching past the row.
        let middle = UnsafeMutablePointer<Float>.allocate(capacity: length + 1)
        defer { middle.deallocate() }
        middle[length] = 0
        rows.weights.withUnsafeBufferPointer { weights in
            for y in 0..<rows.first.count {
                sumRows(source + rows.first[y] * stride, length: length, stride: stride,
                        weights: weights.baseAddress! + y * rows.count, taps: rows.count, into: middle)
                columns(y, middle)
            }
        }
    }

    private static func sumRows(_ source: UnsafePointer<UInt8>, length: Int, stride: Int, weights: UnsafePointer<Float>, taps: Int,
                                into out: UnsafeMutablePointer<Float>) {
        for i in 0..<length { out[i] = weights[0] * Float(source[i]) }
        var row = source
        for tap in 1..<taps {
            row += stride
            let weight = weights[tap]
            for i in 0..<length { out[i] += weight * Float(row[i]) }
        }
    }

    /// Each block: `span` vector multiply-adds of one broadcast sample by a row of weights, into four
    /// sums so that consecutive multiply-adds do not wait on each other.
    private static func sumBlocks(_ row: UnsafePointer<Float>, into target: UnsafeMutablePointer<UInt8>,
                                  base: UnsafeBufferPointer<Int>, weights: UnsafePointer<Float>, span: Int) {
        let lanes = BlockedTaps.lanes
        var w = weights, out = UnsafeMutableRawPointer(target)
        func weightRow(_ j: Int) -> SIMD8<Float> { UnsafeRawPointer(w + j &* lanes).loadUnaligned(as: SIMD8<Float>.self) }
        for start in base {
            let samples = row + start
            var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            var j = 0
            while j &+ 4 <= span {
                sums.0 = sums.0.addingProduct(SIMD8(repeating: samples[j]), weightRow(j))
                sums.1 = sums.1.addingProduct(SIMD8(repeating: samples[j &+ 1]), weightRow(j &+ 1))
                sums.2 = sums.2.addingProduct(SIMD8(repeating: samples[j &+ 2]), weightRow(j &+ 2))
                sums.3 = sums.3.addingProduct(SIMD8(repeating: samples[j &+ 3]), weightRow(j &+ 3))
                j &+= 4
            }
            while j < span {
                sums.0 = sums.0.addingProduct(SIMD8(repeating: samples[j]), weightRow(j))
                j &+= 1
            }
            out.storeBytes(of: bytes((sums.0 + sums.1) + (sums.2 + sums.3)), as: SIMD8<UInt8>.self)
            out += lanes
            w += span &* lanes
        }
    }

    /// The common tap counts get a loop of constant length, which the compiler unrolls completely.
    private static func sumColumns(_ row: UnsafePointer<Float>, channels c: Int, into target: UnsafeMutablePointer<UInt8>,
                                   width: Int, first: UnsafePointer<Int>, weights: UnsafePointer<Float>, taps: Int) {
        switch taps {
        case 2: sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 2)
        case 3: sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 3)
        case 4: sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 4)
        case 5: sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 5)
        case 6: sumColorColumns(row, channels: c, into: target, width: width, first: first, weights: weights, taps: 6)
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

    /// `bytes` for 8 lanes.
    @inline(__always)
    private static func bytes(_ sum: SIMD8<Float>) -> SIMD8<UInt8> {
        let magic: Float = 12_582_912
        var value = unsafeBitCast(sum + magic, to: SIMD8<Int32>.self) &- SIMD8(repeating: Int32(bitPattern: magic.bitPattern))
        value &= ~(value &>> 31)
        value |= (255 &- value) &>> 31
        return SIMD8<UInt8>(truncatingIfNeeded: value)
    }
}
