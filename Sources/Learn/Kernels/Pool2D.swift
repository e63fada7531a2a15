/// Square max and average pooling over each (H, W) plane, and global average pooling, with the
/// sizes and padding rules of PyTorch's MaxPool2d, AvgPool2d and AdaptiveAvgPool2d(1): output side
/// `(side + 2·padding - kernel) / stride + 1`, padding at most half the kernel so every window
/// touches the input. Legend: N batch, C channels, P = OH·OW output pixels per plane.
public enum Pool2D {
    /// x is (N, C, H, W); returns (N, C, OH, OW) and, for each output value, the index within its
    /// input plane (ih·W + iw) of the maximum, the first one on ties. Padding never wins: it counts as -∞.
    public static func maxForward(_ x: Tensor, kernel: Int, stride: Int, padding: Int) -> (output: Tensor, argmax: [Int32]) {
        let geometry = Geometry(x.shape, kernel: kernel, stride: stride, padding: padding)
        var output = Tensor(zeros: geometry.outputShape)
        var argmax = [Int32](repeating: 0, count: output.count)
        x.storage.withUnsafeBufferPointer { x in
            output.storage.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { argmax in
                    Parallel.forRanges(geometry.planes, work: geometry.work) { planes in
                        geometry.forEachWindow(planes: planes) { planeIndex, outputIndex, rows, columns in
                            let plane = x.baseAddress! + planeIndex * geometry.height * geometry.width
                            var best = -Float.infinity
                            var bestIndex = rows.lowerBound * geometry.width + columns.lowerBound
                            for ih in rows {
                                for iw in columns where plane[ih * geometry.width + iw] > best {
                                    best = plane[ih * geometry.width + iw]
                                    bestIndex = ih * geometry.width + iw
                                }
                            }
                            y[outputIndex] = best
                            argmax[outputIndex] = Int32(bestIndex)
                        }
                    }
                }
            }
        }
        return (output, argmax)
    }

    /// gradient is (N, C, OH, OW), argmax from maxForward; returns (N, C, H, W) with each output's
    /// gradient added at its maximum, so an input that wins several windows collects them all.
    public static func maxBackward(_ gradient: Tensor, argmax: [Int32], inputShape: [Int]) -> Tensor {
        precondition(inputShape.count == 4 && gradient.rank == 4 && Array(gradient.shape.prefix(2)) == Array(inputShape.prefix(2)),
                     "gradient \(gradient.shape) does not pool from \(inputShape)")
        precondition(argmax.count == gradient.count, "\(argmax.count) argmax entries for \(gradient.count) gradients")
        let inputPlane = inputShape[2] * inputShape[3]
        let outputPlane = gradient.shape[2] * gradient.shape[3]
        var inputGradient = Tensor(zeros: inputShape)
        gradient.storage.withUnsafeBufferPointer { dy in
            argmax.withUnsafeBufferPointer { argmax in
                inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                    Parallel.forRanges(dy.count / max(1, outputPlane), work: dy.count) { planes in
                        for plane in planes {
                            for index in plane * outputPlane..<(plane + 1) * outputPlane {
                                dx[plane * inputPlane + Int(argmax[index])] += dy[index]
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// x is (N, C, H, W); returns (N, C, OH, OW). Every window divides by kernel², padding included
    /// (PyTorch's count_include_pad = true).
    public static func averageForward(_ x: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        let geometry = Geometry(x.shape, kernel: kernel, stride: stride, padding: padding)
        let scale = 1 / Float(kernel * kernel)
        var output = Tensor(zeros: geometry.outputShape)
        x.storage.withUnsafeBufferPointer { x in
            output.storage.withUnsafeMutableBufferPointer { y in
                Parallel.forRanges(geometry.planes, work: geometry.work) { planes in
                    geometry.forEachWindow(planes: planes) { planeIndex, outputIndex, rows, columns in
                        let plane = x.baseAddress! + planeIndex * geometry.height * geometry.width
                        var sum: Float = 0
                        for ih in rows {
                            for iw in columns { sum += plane[ih * geometry.width + iw] }
                        }
                        y[outputIndex] = sum * scale
                    }
                }
            }
        }
        return output
    }

    /// gradient is (N, C, OH, OW); returns (N, C, H, W): each output's gradient / kernel² spread over its window.
    public static func averageBackward(
        _ gradient: Tensor, inputShape: [Int], kernel: Int, stride: Int, padding: Int
    ) -> Tensor {
        let geometry = Geometry(inputShape, kernel: kernel, stride: stride, padding: padding)
        precondition(gradient.shape == geometry.outputShape, "gradient \(gradient.shape), expected \(geometry.outputShape)")
        let scale = 1 / Float(kernel * kernel)
        var inputGradient = Tensor(zeros: inputShape)
        gradient.storage.withUnsafeBufferPointer { dy in
            inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                Parallel.forRanges(geometry.planes, work: geometry.work) { planes in
                    geometry.forEachWindow(planes: planes) { planeIndex, outputIndex, rows, columns in
                        let plane = dx.baseAddress! + planeIndex * geometry.height * geometry.width
                        let share = dy[outputIndex] * scale
                        for ih in rows {
                            for iw in columns { plane[ih * geometry.width + iw] += share }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// x is (N, C, H, W); returns (N, C), the mean of each plane.
    public static func globalAverageForward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "global pooling input must be (N, C, H, W), got \(x.shape)")
        let plane = x.shape[2] * x.shape[3]
        var output = Tensor(zeros: [x.shape[0], x.shape[1]])
        x.storage.withUnsafeBufferPointer { x in
            output.storage.withUnsafeMutableBufferPointer { y in
                for index in 0..<y.count {
                    var sum: Float = 0
                    for i in index * plane..<(index + 1) * plane { sum += x[i] }
                    y[index] = sum / Float(plane)
                }
            }
        }
        return output
    }

    /// gradient is (N, C); returns (N, C, H, W), each plane filled with its gradient / (H·W).
    public static func globalAverageBackward(_ gradient: Tensor, inputShape: [Int]) -> Tensor {
        precondition(inputShape.count == 4 && gradient.shape == Array(inputShape.prefix(2)),
                     "gradient \(gradient.shape) does not pool from \(inputShape)")
        let plane = inputShape[2] * inputShape[3]
        var inputGradient = Tensor(zeros: inputShape)
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            for (index, value) in gradient.storage.enumerated() {
                dx.baseAddress!.advanced(by: index * plane).update(repeating: value / Float(plane), count: plane)
            }
        }
        return inputGradient
    }
}

extension Pool2D {
    /// The window arithmetic shared by max and average pooling, on every backend: input (N, C, H, W) to
    /// output (N, C, OH, OW).
    public struct Geometry: Sendable {
        public let batch: Int
        public let channels: Int
        public let height: Int
        public let width: Int
        public let outHeight: Int
        public let outWidth: Int
        public let kernel: Int
        public let stride: Int
        public let padding: Int

        public init(_ shape: [Int], kernel: Int, stride: Int, padding: Int) {
            precondition(shape.count == 4, "pooling input must be (N, C, H, W), got \(shape)")
            precondition(kernel > 0 && stride > 0 && padding >= 0 && padding <= kernel / 2,
                         "kernel \(kernel), stride \(stride), padding \(padding): padding may be at most half the kernel")
            precondition(shape[2] + 2 * padding >= kernel && shape[3] + 2 * padding >= kernel,
                         "kernel \(kernel) larger than the padded input \(shape)")
            (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
            (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
            outHeight = (height + 2 * padding - kernel) / stride + 1
            outWidth = (width + 2 * padding - kernel) / stride + 1
        }

        public var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

        /// Calls `body` for every output value of `planes` with its plane, its flat output index and the
        /// input rows and columns its window covers once the padding is clipped off. Callers spread
        /// planes over the cores around it, so that `body` is inlined into the loop.
        @inline(__always)
        func forEachWindow(planes: Range<Int>, _ body: (_ plane: Int, _ output: Int, _ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
            for plane in planes {
                var output = plane * outHeight * outWidth
                for oh in 0..<outHeight {
                    let top = oh * stride - padding
                    let rows = max(0, top)..<min(height, top + kernel)
                    for ow in 0..<outWidth {
                        let left = ow * stride - padding
                        body(plane, output, rows, max(0, left)..<min(width, left + kernel))
                        output += 1
                    }
                }
            }
        }

        public var planes: Int { batch * channels }
        /// Values a whole pass reads, to decide whether it pays to spread it over cores.
        var work: Int { planes * outHeight * outWidth * kernel * kernel }
    }
}
