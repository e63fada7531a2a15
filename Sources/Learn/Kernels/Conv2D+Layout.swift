import Synchronization

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
        /// kh·kw: rows of the im2col matrix per input channel.
        let taps: Int
        let table: TapTable

        init(_ shape: Conv2DShape, chunkValues: Int) {
            self.shape = shape
            (groupIn, groupOut) = (shape.inChannels / shape.groups, shape.outChannels / shape.groups)
            (patch, pixels, plane) = (shape.patchSize, shape.outPixels, shape.height * shape.width)
            let perSample = max(1, patch * shape.groups * pixels)
            chunkSize = max(1, min(shape.batch, chunkValues / perSample))
            taps = shape.kernelHeight * shape.kernelWidth
            table = TapTable(shape)
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

    /// A kernel's scratch buffer, lent from a pool for the length of one call. Training asks for the
    /// same few sizes thousands of times, and a fresh allocation of tens of megabytes may come from
    /// mmap and pay a page fault per 4 KiB on first touch.
    final class Scratch {
        let pointer: UnsafeMutablePointer<Float>
        private let capacity: Int

        init(count: Int) {
            let wanted = max(1, count)
            let reused = Self.pool.withLock { pool -> Buffer? in
                // The smallest free buffer that fits, so large ones stay for large requests.
                guard let index = pool.indices.filter({ pool[$0].capacity >= wanted }).min(by: { pool[$0].capacity < pool[$1].capacity })
                else { return nil }
                return pool.remove(at: index)
            }
            let buffer = reused ?? Buffer(pointer: .allocate(capacity: wanted), capacity: wanted)
            (pointer, capacity) = (buffer.pointer, buffer.capacity)
        }

        deinit {
            let returned = Buffer(pointer: pointer, capacity: capacity)
            let evicted = Self.pool.withLock { pool -> [Buffer] in
                pool.append(returned)
                // The smallest go first: a large buffer costs the most page faults to make again.
                var evicted: [Buffer] = []
                while pool.reduce(0, { $0 + $1.capacity }) > Self.poolLimit,
                      let smallest = pool.indices.min(by: { pool[$0].capacity < pool[$1].capacity }) {
                    evicted.append(pool.remove(at: smallest))
                }
                return evicted
            }
            for buffer in evicted { buffer.pointer.deallocate() }
        }

        /// Frees every pooled buffer; ones in use return to the pool when their call ends.
        static func releasePool() {
            for buffer in pool.withLock({ pool in defer { pool = [] }; return pool }) { buffer.pointer.deallocate() }
        }

        /// A free buffer; only ever owned by the pool or by one Scratch.
        private struct Buffer: @unchecked Sendable {
            let pointer: UnsafeMutablePointer<Float>
            let capacity: Int
        }

        /// Values the free buffers may hold together (384 MiB): room for every matrix a training step
        /// keeps from forward to backward (which return here after backward, one per convolution, 52
        /// in MobileNetV2) and for one call's transient scratch. A count limit of 12 had left MobileNetV2
        /// making dozens of buffers again each step: 104 against 126 images/s, mostly in page faults.
        private static let poolLimit = ConvolutionCache.budget + 4 * Conv2D.chunkValues
        private static let pool = Mutex<[Buffer]>([])
    }

    /// im2col for every sample of the chunk into the groups' matrices. Each task takes whole rows of the
    /// matrix, one (channel, tap) each, every one a contiguous run across the samples: rows rather than
    /// channels, so that a stem's three channels keep both cores busy (one had had twice the other's share).
    static func lower(_ x: UnsafePointer<Float>, samples: Range<Int>, into columns: UnsafeMutablePointer<Float>, _ layout: Layout) {
        let (width, channels, taps) = (samples.count * layout.pixels, layout.shape.inChannels, layout.taps)
        layout.table.offsets.withUnsafeBufferPointer { table in
            Parallel.forRanges(channels * taps, work: layout.columnValues) { range in
                for row in range {
                    let (channel, tap) = row.quotientAndRemainder(dividingBy: taps)
                    let (group, within) = channel.quotientAndRemainder(dividingBy: layout.groupIn)
                    let out = columns + (group * layout.patch + within * taps + tap) * width
                    let offsets = table.baseAddress! + tap * layout.pixels
                    for sample in 0..<samples.count {
                        gather(x + ((samples.lowerBound + sample) * channels + channel) * layout.plane, offsets: offsets, count: layout.pixels,
                               into: out + sample * layout.pixels)
                    }
                }
            }
        }
    }

    /// col2im for every sample of the chunk, adding each channel's column gradient onto dx; tasks
    /// take whole channels, so no two write the same plane.
    static func raise(_ columns: UnsafePointer<Float>, samples: Range<Int>, into dx: UnsafeMutablePointer<Float>, _ layout: Layout) {
        let (width, channels) = (samples.count * layout.pixels, layout.shape.inChannels)
        layout.table.offsets.withUnsafeBufferPointer { table in
            Parallel.forRanges(channels, work: layout.columnValues) { range in
                for channel in range {
                    let (group, within) = channel.quotientAndRemainder(dividingBy: layout.groupIn)
                    col2im(columns + (group * layout.patch + within * layout.taps) * width, rowStride: width,
                           into: { dx + ((samples.lowerBound + $0) * channels + channel) * layout.plane }, samples: samples.count,
                           pixels: layout.pixels, table: table.baseAddress!, taps: layout.taps)
                }
            }
        }
    }

    /// The channel-major product (OC, L) to NCHW rows of y, each plus its channel's bias, then the
    /// residual's value at the same place and the activation, when given (`Epilogue`).
    static func scatter(
        _ product: UnsafePointer<Float>, samples: Range<Int>, bias: [Float]?, residual: UnsafePointer<Float>?, activation: Activation?,
        into y: UnsafeMutablePointer<Float>, _ layout: Layout
    ) {
        let (channels, pixels, width) = (layout.shape.outChannels, layout.pixels, samples.count * layout.pixels)
        Parallel.forEach(samples.count, work: channels * width) { index in
            let first = (samples.lowerBound + index) * channels * pixels
            for channel in 0..<channels {
                let source = product + channel * width + index * pixels
                let offset = first + channel * pixels
                let target = y + offset
                let shift = bias?[channel] ?? 0
                if residual == nil && activation == nil {
                    for pixel in 0..<pixels { target[pixel] = source[pixel] + shift }
                } else {
                    for pixel in 0..<pixels { target[pixel] = activation.finish(source[pixel] + shift, residual: residual, at: offset + pixel) }
                }
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
