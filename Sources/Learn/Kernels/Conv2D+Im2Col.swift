extension Conv2D {
    /// The output columns `ow` whose input column `ow·stride - padding + offset` lies inside `0..<size`,
    /// so the copy loops below run without a bounds test per element.
    @inline(__always)
    static func validRange(offset: Int, size: Int, stride: Int, padding: Int, count: Int) -> Range<Int> {
        let shift = padding - offset
        let lower = shift > 0 ? (shift + stride - 1) / stride : 0
        let upperInclusive = size - 1 + shift
        let upper = upperInclusive < 0 ? 0 : min(count, upperInclusive / stride + 1)
        return lower..<max(lower, upper)
    }

    /// image is (Cg, H, W), one sample's channels of one group; col is (Cg·kh·kw, OH·OW) with rows
    /// `rowStride` apart: row (c, ki, kj) holds, for every output pixel, the input value that kernel
    /// tap multiplies.
    static func im2col(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, rowStride: Int, _ shape: Conv2DShape) {
        let (height, width, outHeight, outWidth) = (shape.height, shape.width, shape.outHeight, shape.outWidth)
        let (stride, padding) = (shape.stride, shape.padding)
        var row = col
        for channel in 0..<(shape.inChannels / shape.groups) {
            let plane = image + channel * height * width
            for ki in 0..<shape.kernelHeight {
                for kj in 0..<shape.kernelWidth {
                    let columns = validRange(offset: kj, size: width, stride: stride, padding: padding, count: outWidth)
                    for oh in 0..<outHeight {
                        let out = row + oh * outWidth
                        let ih = oh * stride - padding + ki
                        guard ih >= 0 && ih < height else {
                            out.update(repeating: 0, count: outWidth)
                            continue
                        }
                        let base = ih * width - padding + kj
                        for ow in 0..<columns.lowerBound { out[ow] = 0 }
                        if stride == 1 {
                            (out + columns.lowerBound).update(from: plane + base + columns.lowerBound, count: columns.count)
                        } else {
                            for ow in columns { out[ow] = plane[base + ow * stride] }
                        }
                        for ow in columns.upperBound..<outWidth { out[ow] = 0 }
                    }
                    row += rowStride
                }
            }
        }
    }

    /// The adjoint of im2col: col is (Cg·kh·kw, OH·OW) with rows `rowStride` apart, image is
    /// (Cg, H, W); every column entry is added back to the input pixel it was copied from, so
    /// overlapping windows sum their gradients.
    static func col2im(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, rowStride: Int, _ shape: Conv2DShape) {
        let (height, width, outHeight, outWidth) = (shape.height, shape.width, shape.outHeight, shape.outWidth)
        let (stride, padding) = (shape.stride, shape.padding)
        var row = col
        for channel in 0..<(shape.inChannels / shape.groups) {
            let plane = image + channel * height * width
            for ki in 0..<shape.kernelHeight {
                for kj in 0..<shape.kernelWidth {
                    let columns = validRange(offset: kj, size: width, stride: stride, padding: padding, count: outWidth)
                    for oh in 0..<outHeight {
                        let ih = oh * stride - padding + ki
                        guard ih >= 0 && ih < height else { continue }
                        let input = row + oh * outWidth
                        let base = ih * width - padding + kj
                        for ow in columns { plane[base + ow * stride] += input[ow] }
                    }
                    row += rowStride
                }
            }
        }
    }
}
