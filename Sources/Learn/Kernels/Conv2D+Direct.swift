extension Conv2D {
    /// Evaluation's convolution of an input with few channels (a stem over RGB), computed directly rather
    /// than through im2col: with three channels, lowering gathers kh·kw copies of every input value (49 for
    /// ResNet-18's 7×7 stem) and took a third of the layer's time. Each task makes whole output rows: it
    /// splits the input rows its windows read into `stride` phases (every stride-th column), so that each
    /// tap reads 16 consecutive outputs' inputs as one vector, and keeps 8 output channels × 32 columns
    /// in registers across all taps (two vector loads and eight broadcasts feed 16 FMAs). The epilogue is
    /// applied as the registers are stored.
    enum Direct {
        /// Channels up to this many; beyond, the products im2col makes are large enough to pay for it.
        static let maximumInChannels = 4
        static let channelBlock = 8
        static let columnBlock = 32

        static func applies(to shape: Conv2DShape) -> Bool {
            shape.groups == 1 && shape.inChannels <= maximumInChannels && shape.outChannels % channelBlock == 0
                && shape.kernelHeight == shape.kernelWidth && shape.outWidth >= columnBlock / 2
        }

        typealias Vector = SIMD16<Float>

        /// y (N, OC, OH, OW) from x (N, C, H, W) and weight (OC, C, k, k), plus bias, residual and activation.
        static func forward(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            residual: UnsafePointer<Float>?, activation: Activation?, shape: Conv2DShape, into y: UnsafeMutablePointer<Float>) {
            let (channels, outChannels, kernel) = (shape.inChannels, shape.outChannels, shape.kernelHeight)
            let (stride, padding, height, width) = (shape.stride, shape.padding, shape.height, shape.width)
            let (outHeight, outWidth) = (shape.outHeight, shape.outWidth)
            let columnBlocks = (outWidth + columnBlock - 1) / columnBlock
            // Each phase row holds the inputs of every column block's outputs at every tap: column j of
            // phase q is input column j·stride + q − padding (zero outside the image).
            let phaseLength = columnBlocks * columnBlock + (kernel - 1) / stride + 1
            // Where tap kj's inputs start within a kernel row's phases.
            let columnOffsets = (0..<kernel).map { ($0 % stride) * phaseLength + $0 / stride }
            // Taps, output channel last: (c, ki, kj, oc), so one tap's channels are consecutive.
            var taps = [Float](repeating: 0, count: channels * kernel * kernel * outChannels)
            for oc in 0..<outChannels {
                for tap in 0..<channels * kernel * kernel { taps[tap * outChannels + oc] = weight[oc * channels * kernel * kernel + tap] }
            }
            let geometry = Geometry(channels: channels, kernel: kernel, stride: stride, phaseLength: phaseLength, outChannels: outChannels)
            taps.withUnsafeBufferPointer { taps in
                columnOffsets.withUnsafeBufferPointer { columnOffsets in
                    Parallel.forRanges(shape.batch * outHeight, work: shape.batch * outChannels * outHeight * outWidth * kernel * kernel) { rows in
                        let phases = UnsafeMutablePointer<Float>.allocate(capacity: channels * kernel * stride * phaseLength)
                        let sums = UnsafeMutablePointer<Vector>.allocate(capacity: 2 * channelBlock)
                        defer {
                            phases.deallocate()
                            sums.deallocate()
                        }
                        for row in rows {
                            let (sample, oh) = row.quotientAndRemainder(dividingBy: outHeight)
                            for c in 0..<channels {
                                for ki in 0..<kernel {
                                    let ih = oh * stride - padding + ki
                                    split(ih >= 0 && ih < height ? x + ((sample * channels + c) * height + ih) * width : nil, width: width,
                                          stride: stride, padding: padding, into: phases + (c * kernel + ki) * stride * phaseLength, length: phaseLength)
                                }
                            }
                            for firstChannel in Swift.stride(from: 0, to: outChannels, by: channelBlock) {
                                for block in 0..<columnBlocks {
                                    let column = block * columnBlock
                                    accumulate(phases + column, taps.baseAddress! + firstChannel, columnOffsets.baseAddress!, geometry, into: sums)
                                    for o in 0..<channelBlock {
                                        let channel = firstChannel + o
                                        let offset = ((sample * outChannels + channel) * outHeight + oh) * outWidth + column
                                        let shift = Vector(repeating: bias?[channel] ?? 0)
                                        Epilogue.store(sums[2 * o] + shift, at: offset, valid: min(16, outWidth - column), y, residual: residual,
                                                       activation: activation)
                                        Epilogue.store(sums[2 * o + 1] + shift, at: offset + 16, valid: min(16, outWidth - column - 16), y,
                                                       residual: residual, activation: activation)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        struct Geometry {
            let channels: Int, kernel: Int, stride: Int, phaseLength: Int, outChannels: Int
        }

        /// An input row, or zeros for a row outside the image (nil), as `stride` phase rows of `length`.
        @inline(__always)
        private static func split(_ source: UnsafePointer<Float>?, width: Int, stride: Int, padding: Int,
                                  into phases: UnsafeMutablePointer<Float>, length: Int) {
            for q in 0..<stride {
                let target = phases + q * length
                // Columns j·stride + q − padding inside the image.
                let first = min(length, max(0, (padding - q + stride - 1) / stride))
                let end = source == nil ? first : max(first, min(length, (width + padding - q + stride - 1) / stride))
                for j in 0..<first { target[j] = 0 }
                if let source {
                    let start = source + first * stride + q - padding
                    for j in 0..<end - first { target[first + j] = start[j * stride] }
                }
                for j in end..<length { target[j] = 0 }
            }
        }

        /// 8 output channels × 32 consecutive output columns summed over every input channel and tap, into
        /// `sums` (channel o's columns at 2·o and 2·o + 1).
        @inline(__always)
        private static func accumulate(_ phases: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ columnOffsets: UnsafePointer<Int>,
                                       _ geometry: Geometry, into sums: UnsafeMutablePointer<Vector>) {
            var a0 = Vector(), b0 = Vector(), a1 = Vector(), b1 = Vector(), a2 = Vector(), b2 = Vector(), a3 = Vector(), b3 = Vector()
            var a4 = Vector(), b4 = Vector(), a5 = Vector(), b5 = Vector(), a6 = Vector(), b6 = Vector(), a7 = Vector(), b7 = Vector()
            var tap = taps
            for c in 0..<geometry.channels {
                for ki in 0..<geometry.kernel {
                    let phaseRows = phases + (c * geometry.kernel + ki) * geometry.stride * geometry.phaseLength
                    for kj in 0..<geometry.kernel {
                        let input = UnsafeRawPointer(phaseRows + columnOffsets[kj])
                        let left = input.loadUnaligned(as: Vector.self), right = input.loadUnaligned(fromByteOffset: 64, as: Vector.self)
                        let w0 = tap[0], w1 = tap[1], w2 = tap[2], w3 = tap[3], w4 = tap[4], w5 = tap[5], w6 = tap[6], w7 = tap[7]
                        a0.addProduct(w0, left); b0.addProduct(w0, right); a1.addProduct(w1, left); b1.addProduct(w1, right)
                        a2.addProduct(w2, left); b2.addProduct(w2, right); a3.addProduct(w3, left); b3.addProduct(w3, right)
                        a4.addProduct(w4, left); b4.addProduct(w4, right); a5.addProduct(w5, left); b5.addProduct(w5, right)
                        a6.addProduct(w6, left); b6.addProduct(w6, right); a7.addProduct(w7, left); b7.addProduct(w7, right)
                        tap += geometry.outChannels
                    }
                }
            }
            (sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]) = (a0, b0, a1, b1, a2, b2, a3, b3)
            (sums[8], sums[9], sums[10], sums[11], sums[12], sums[13], sums[14], sums[15]) = (a4, b4, a5, b5, a6, b6, a7, b7)
        }
    }
}
