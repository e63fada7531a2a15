extension Pool2D {
    /// `maxForward`'s output without the indices only backward reads, for evaluation, in two vectorized
    /// passes per output row: the maximum down its window's input rows, into a row padded with −∞ on both
    /// sides, then, tap by tap, the maximum across each window's columns of that. The per-window loop with
    /// its index bookkeeping took ResNet-18's pooling at 224 pixels 4.7× as long (docs/benchmarks.md).
    /// The same comparison (`>`, padding as −∞) gives the same values wherever no NaN is pooled.
    public static func maxOutput(_ x: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        let geometry = Geometry(x.shape, kernel: kernel, stride: stride, padding: padding)
        let (height, width) = (geometry.height, geometry.width)
        let (outHeight, outWidth) = (geometry.outHeight, geometry.outWidth)
        // Every window of the padded row lies inside it, so the column pass needs no clipping.
        let padded = (outWidth - 1) * stride + kernel
        return Tensor(shape: geometry.outputShape) { y in
            x.storage.withUnsafeBufferPointer { x in
                Parallel.forRanges(geometry.planes, work: geometry.work) { planes in
                    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(padded, padding + width))
                    defer { buffer.deallocate() }
                    buffer.initialize(repeating: -.infinity, count: max(padded, padding + width))
                    let rowMaxima = buffer + padding
                    for plane in planes {
                        let source = x.baseAddress! + plane * height * width
                        for oh in 0..<outHeight {
                            let top = oh * stride - padding
                            let rows = max(0, top)..<min(height, top + kernel)
                            // A select rather than a conditional store, so that the loops vectorize.
                            for column in 0..<width { rowMaxima[column] = source[rows.lowerBound * width + column] }
                            for row in rows.dropFirst() {
                                let line = source + row * width
                                for column in 0..<width { rowMaxima[column] = line[column] > rowMaxima[column] ? line[column] : rowMaxima[column] }
                            }
                            let target = y + (plane * outHeight + oh) * outWidth
                            for ow in 0..<outWidth { target[ow] = buffer[ow * stride] }
                            for tap in 1..<kernel {
                                for ow in 0..<outWidth {
                                    let value = buffer[ow * stride + tap]
                                    target[ow] = value > target[ow] ? value : target[ow]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
