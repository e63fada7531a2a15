extension Conv2D {
    /// Sizes of the chunked matrices, derived once per call.
    struct Layout {
        let shape: Conv2DShape
        let groupIn: Int
        let groupOut: Int
        /// K: rows of one group's im2col matrix.
        let patch: Int
        /// P: output pixels per plane.
        let pixels: Int
        /// H·W: input pixels per plane.
        let plane: Int
        /// n: samples per chunk.
        let chunkSize: Int

        init(_ shape: Conv2DShape, chunkValues: Int) {
            self.shape = shape
            (groupIn, groupOut) = (shape.inChannels / shape.groups, shape.outChannels / shape.groups)
            (patch, pixels, plane) = (shape.patchSize, shape.outPixels, shape.height * shape.width)
            let perSample = max(1, patch * shape.groups * pixels)
            chunkSize = max(1, min(shape.batch, chunkValues / perSample))
        }

        /// The samples of each chunk, in order.
        var chunks: [Range<Int>] {
            stride(from: 0, to: shape.batch, by: chunkSize).map { $0..<min($0 + chunkSize, shape.batch) }
        }

        /// Every group's im2col matrix for one chunk: G · K · L.
        var columnValues: Int { shape.groups * patch * chunkSize * pixels }
        /// The channel-major output (or output gradient) of one chunk: OC · L.
        var productValues: Int { shape.outChannels * chunkSize * pixels }
    }

    /// A kernel's scratch buffer, freed when the call that made it returns.
    final class Scratch {
        let pointer: UnsafeMutablePointer<Float>

        init(count: Int) {
            pointer = .allocate(capacity: max(1, count))
        }

        deinit { pointer.deallocate() }
    }

    /// im2col for every sample of the chunk into the groups' matrices, one sample per task.
    static func lower(_ x: UnsafePointer<Float>, samples: Range<Int>, into columns: UnsafeMutablePointer<Float>, _ layout: Layout) {
        let width = samples.count * layout.pixels
        Parallel.forEach(samples.count, work: layout.columnValues) { index in
            let image = x + (samples.lowerBound + index) * layout.shape.inChannels * layout.plane
            for group in 0..<layout.shape.groups {
                im2col(image + group * layout.groupIn * layout.plane,
                       columns + group * layout.patch * width + index * layout.pixels, rowStride: width, layout.shape)
            }
        }
    }

    /// col2im for every sample of the chunk, adding each group's column gradient onto dx.
    static func raise(_ columns: UnsafePointer<Float>, samples: Range<Int>, into dx: UnsafeMutablePointer<Float>, _ layout: Layout) {
        let width = samples.count * layout.pixels
        Parallel.forEach(samples.count, work: layout.columnValues) { index in
            let image = dx + (samples.lowerBound + index) * layout.shape.inChannels * layout.plane
            for group in 0..<layout.shape.groups {
                col2im(columns + group * layout.patch * width + index * layout.pixels,
                       image + group * layout.groupIn * layout.plane, rowStride: width, layout.shape)
            }
        }
    }

    /// The channel-major product (OC, L) to NCHW rows of y, each plus its channel's bias.
    static func scatter(
        _ product: UnsafePointer<Float>, samples: Range<Int>, bias: [Float]?, into y: UnsafeMutablePointer<Float>, _ layout: Layout
    ) {
        let (channels, pixels, width) = (layout.shape.outChannels, layout.pixels, samples.count * layout.pixels)
        Parallel.forEach(samples.count, work: channels * width) { index in
            let sample = y + (samples.lowerBound + index) * channels * pixels
            for channel in 0..<channels {
                let source = product + channel * width + index * pixels
                let target = sample + channel * pixels
                let shift = bias?[channel] ?? 0
                for pixel in 0..<pixels { target[pixel] = source[pixel] + shift }
            }
        }
    }

    /// NCHW rows of dy to the channel-major (OC, L) matrix, adding each channel's sum to the bias gradient.
    static func gather(
        _ dy: UnsafePointer<Float>, samples: Range<Int>, into product: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>, _ layout: Layout
    ) {
        let (channels, pixels, width) = (layout.shape.outChannels, layout.pixels, samples.count * layout.pixels)
        Parallel.forRanges(channels, work: channels * width) { range in
            for channel in range {
                var sum: Float = 0
                for index in 0..<samples.count {
                    let source = dy + ((samples.lowerBound + index) * channels + channel) * pixels
                    let target = product + channel * width + index * pixels
                    for pixel in 0..<pixels {
                        target[pixel] = source[pixel]
                        sum += source[pixel]
                    }
                }
                biasGradient[channel] += sum
            }
        }
    }
}
