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

    /// plane is one channel of one sample, (H, W); col is (kh·kw, OH·OW) with rows `rowStride`
    /// apart: row (ki, kj) holds, for every output pixel, the input value that kernel tap multiplies.
    static func im2col(_ plane: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, rowStride: Int, _ shape: Conv2DShape) {
        let (height, width, outHeight, outWidth) = (shape.height, shape.width, shape.outHeight, shape.outWidth)
        let (stride, padding) = (shape.stride, shape.padding)
        var row = col
        for ki in 0..<shape.kernelHeight {
            // Plain loops rather than memset and memcpy calls: the runs are often 2 to 16 values
            // long, where a call costs more than the copy.
            let rows = validRange(offset: ki, size: height, stride: stride, padding: padding, count: outHeight)
            for kj in 0..<shape.kernelWidth {
                let columns = validRange(offset: kj, size: width, stride: stride, padding: padding, count: outWidth)
                for index in 0..<rows.lowerBound * outWidth { row[index] = 0 }
                for oh in rows {
                    let out = row + oh * outWidth
                    let source = plane + (oh * stride - padding + ki) * width - padding + kj
                    for ow in 0..<columns.lowerBound { out[ow] = 0 }
                    if stride == 1 {
                        for ow in columns { out[ow] = source[ow] }
                    } else {
                        for ow in columns { out[ow] = source[ow * stride] }
                    }
                    for ow in columns.upperBound..<outWidth { out[ow] = 0 }
                }
                for index in rows.upperBound * outWidth..<outHeight * outWidth { row[index] = 0 }
                row += rowStride
            }
        }
    }

    /// The adjoint of im2col: col is (kh·kw, OH·OW) with rows `rowStride` apart, plane is one
    /// channel (H, W); every column entry is added back to the input pixel it was copied from, so
    /// overlapping windows sum their gradients.
    static func col2im(_ col: UnsafePointer<Float>, _ plane: UnsafeMutablePointer<Float>, rowStride: Int, _ shape: Conv2DShape) {
        let (height, width, outHeight, outWidth) = (shape.height, shape.width, shape.outHeight, shape.outWidth)
        let (stride, padding) = (shape.stride, shape.padding)
        var row = col
        for ki in 0..<shape.kernelHeight {
            let rows = validRange(offset: ki, size: height, stride: stride, padding: padding, count: outHeight)
            for kj in 0..<shape.kernelWidth {
                let columns = validRange(offset: kj, size: width, stride: stride, padding: padding, count: outWidth)
                for oh in rows {
                    let input = row + oh * outWidth
                    let target = plane + (oh * stride - padding + ki) * width - padding + kj
                    if stride == 1 {
                        for ow in columns { target[ow] += input[ow] }
                    } else {
                        for ow in columns { target[ow * stride] += input[ow] }
                    }
                }
                row += rowStride
            }
        }
    }
}
