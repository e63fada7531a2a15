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

    /// One tap's inputs for `count` output pixels: plane[offsets[i]], or 0 where the window lies on the padding.
    @inline(__always)
    static func gather(_ plane: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, count: Int, into target: UnsafeMutablePointer<Float>) {
        for pixel in 0..<count {
            let offset = Int(offsets[pixel])
            target[pixel] = offset >= 0 ? plane[offset] : 0
        }
    }

    /// The adjoint of im2col for one input channel: every entry of the channel's rows (tap by tap, sample
    /// after sample, `pixels` each) is added back to the input pixel it was copied from, so overlapping
    /// windows sum their gradients. Within one tap no two pixels share an input, which keeps the adds independent.
    @inline(__always)
    static func col2im(
        _ rows: UnsafePointer<Float>, rowStride: Int, into planes: (Int) -> UnsafeMutablePointer<Float>, samples: Int,
        pixels: Int, table: UnsafePointer<Int32>, taps: Int
    ) {
        for tap in 0..<taps {
            let offsets = table + tap * pixels
            for sample in 0..<samples {
                let plane = planes(sample), input = rows + tap * rowStride + sample * pixels
                for pixel in 0..<pixels {
                    let offset = Int(offsets[pixel])
                    if offset >= 0 { plane[offset] += input[pixel] }
                }
            }
        }
    }
}
