extension Conv2D {
    /// For every kernel tap (ki, kj) and output pixel (oh, ow), the offset within an input plane of
    /// the value that tap multiplies, or -1 where the window lies on the padding. Made once per call,
    /// it reduces im2col and col2im to table lookups: no per-row arithmetic, which on the small
    /// feature maps of late stages (4×4, 2×2) cost more than the copying.
    struct TapTable {
        /// taps × P, tap-major.
        let offsets: [Int32]

        init(_ shape: Conv2DShape) {
            let (outHeight, outWidth) = (shape.outHeight, shape.outWidth)
            var offsets = [Int32](repeating: -1, count: shape.kernelHeight * shape.kernelWidth * outHeight * outWidth)
            var index = 0
            for ki in 0..<shape.kernelHeight {
                for kj in 0..<shape.kernelWidth {
                    for oh in 0..<outHeight {
                        let ih = oh * shape.stride - shape.padding + ki
                        for ow in 0..<outWidth {
                            let iw = ow * shape.stride - shape.padding + kj
                            if ih >= 0 && ih < shape.height && iw >= 0 && iw < shape.width {
                                offsets[index] = Int32(ih * shape.width + iw)
                            }
                            index += 1
                        }
                    }
                }
            }
            self.offsets = offsets
        }
    }

    /// im2col for one input channel over the chunk's samples: `planes(sample)` is that channel of a
    /// sample, (H, W); rows is the channel's kh·kw rows of the (K, L) matrix, `rowStride` apart, and
    /// row (ki, kj) gets, sample after sample, the input value that tap multiplies at each output pixel.
    @inline(__always)
    static func im2col(
        _ planes: (Int) -> UnsafePointer<Float>, samples: Int, into rows: UnsafeMutablePointer<Float>, rowStride: Int,
        pixels: Int, table: UnsafePointer<Int32>, taps: Int
    ) {
        forEachRow(samples: samples, rowStride: rowStride, pixels: pixels, table: table, taps: taps) { start, sample, offsets in
            let plane = planes(sample), out = rows + start
            for pixel in 0..<pixels {
                let offset = Int(offsets[pixel])
                out[pixel] = offset >= 0 ? plane[offset] : 0
            }
        }
    }

    /// The adjoint of im2col for one input channel: every entry of the channel's rows is added back to
    /// the input pixel it was copied from, so overlapping windows sum their gradients. Within one tap
    /// no two pixels share an input, which keeps the adds independent.
    @inline(__always)
    static func col2im(
        _ rows: UnsafePointer<Float>, rowStride: Int, into planes: (Int) -> UnsafeMutablePointer<Float>, samples: Int,
        pixels: Int, table: UnsafePointer<Int32>, taps: Int
    ) {
        forEachRow(samples: samples, rowStride: rowStride, pixels: pixels, table: table, taps: taps) { start, sample, offsets in
            let plane = planes(sample), input = rows + start
            for pixel in 0..<pixels {
                let offset = Int(offsets[pixel])
                if offset >= 0 { plane[offset] += input[pixel] }
            }
        }
    }

    /// The walk im2col and col2im share: for each tap, then each sample, where that stretch of `pixels`
    /// begins in the (K, L) matrix and the tap's offset table (an input index per output pixel, -1 in
    /// the padding). Inlined, so each caller's pixel loop compiles as if written out in place.
    @inline(__always)
    private static func forEachRow(
        samples: Int, rowStride: Int, pixels: Int, table: UnsafePointer<Int32>, taps: Int,
        _ body: (_ start: Int, _ sample: Int, _ offsets: UnsafePointer<Int32>) -> Void
    ) {
        for tap in 0..<taps {
            let offsets = table + tap * pixels
            for sample in 0..<samples { body(tap * rowStride + sample * pixels, sample, offsets) }
        }
    }
}
