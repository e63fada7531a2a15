extension Conv2D {
    /// One group's im2col matrix (K × n·P) of a chunk of samples, never written out: GEMM's packing asks
    /// it for one panel of 32 columns at a time and gets the input values each column's taps multiply.
    /// Lowering the whole chunk first wrote and read back a matrix kh·kw times the input's size (for
    /// ResNet-18's 7×7 stem, 49×: a third of the layer's time), which the product then packed again.
    /// Used where nothing keeps the matrix for a backward, and only by the blocked kernel, whose packing
    /// this replaces.
    struct Lowering: @unchecked Sendable {
        // @unchecked: read-only views of the input and the tap table for the length of one product.
        let input: UnsafePointer<Float>
        let table: UnsafePointer<Int32>
        let layout: Layout
        let samples: Range<Int>
        /// The group's first input channel.
        let firstChannel: Int

        /// Rows `depth` × columns `columns` into consecutive micro-panels, as `GEMM.packB` lays them out.
        func pack(columns: Range<Int>, depth: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
            let width = GEMM.MicroKernel.columns, kc = depth.count
            let (pixels, taps, channels, plane) = (layout.pixels, layout.taps, layout.shape.inChannels, layout.plane)
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * width) { scratch in
                // Per column of a panel: where its sample's channel 0 starts, and its output pixel.
                let (planes, pixel) = (scratch.baseAddress!, scratch.baseAddress! + width)
                for start in Swift.stride(from: 0, to: columns.count, by: width) {
                    let valid = min(width, columns.count - start)
                    var (sample, first) = (columns.lowerBound + start).quotientAndRemainder(dividingBy: pixels)
                    for column in 0..<valid {
                        planes[column] = ((samples.lowerBound + sample) * channels + firstChannel) * plane
                        pixel[column] = first
                        first += 1
                        if first == pixels { (sample, first) = (sample + 1, 0) }
                    }
                    let panel = panels + start * kc
                    // Most panels lie within one sample: their pixels are consecutive, and one plane holds them.
                    // (Copying taps whose inputs lie `stride` apart in one row, rather than gathering them,
                    // measured no faster.)
                    let oneSample = planes[0] == planes[valid - 1]
                    for (step, row) in depth.enumerated() {
                        let (channel, tap) = row.quotientAndRemainder(dividingBy: taps)
                        let (offsets, source, target) = (table + tap * pixels, input + channel * plane, panel + step * width)
                        if oneSample {
                            Conv2D.gather(source + planes[0], offsets: offsets + pixel[0], count: valid, into: target)
                        } else {
                            for column in 0..<valid {
                                let offset = Int(offsets[pixel[column]])
                                target[column] = offset >= 0 ? source[planes[column] + offset] : 0
                            }
                        }
                        for column in valid..<width { target[column] = 0 }
                    }
                }
            }
        }
    }
}
