/// What the backward pass of batch normalization needs from its forward pass, on the forward's device.
public struct BatchNormCache: Sendable {
    /// The normalized input (x - mean) / sqrt(variance + epsilon), (N, C, H, W).
    public let normalized: Tensor
    /// 1 / sqrt(variance + epsilon) per channel (C), from the batch in training and the running variance in eval.
    public let inverseDeviation: Tensor
    /// (C)
    public let gamma: Tensor
    /// In training the statistics depend on the input, which adds two terms to the input gradient.
    public let training: Bool

    public init(normalized: Tensor, inverseDeviation: Tensor, gamma: Tensor, training: Bool) {
        (self.normalized, self.inverseDeviation, self.gamma, self.training) = (normalized, inverseDeviation, gamma, training)
    }
}

/// Batch normalization over (N, H, W) for each channel, as PyTorch's BatchNorm2d: training normalizes
/// by the batch's mean and biased variance and moves the running statistics toward the batch's
/// (running = (1 - momentum)·running + momentum·batch, the variance unbiased); eval uses the running ones.
/// Legend: C channels, M = N·H·W values per channel.
public enum BatchNorm2D {
    /// x is (N, C, H, W); gamma, beta, runningMean and runningVariance are (C); returns (N, C, H, W).
    public static func forward(
        _ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
        momentum: Float, epsilon: Float, training: Bool
    ) -> (output: Tensor, cache: BatchNormCache) {
        precondition(x.rank == 4, "batch norm input must be (N, C, H, W), got \(x.shape)")
        let (batch, channels, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        for parameter in [gamma, beta, runningMean, runningVariance] {
            precondition(parameter.shape == [channels], "per-channel parameter \(parameter.shape), expected [\(channels)]")
        }
        let count = batch * plane
        precondition(!training || count > 1, "training batch norm needs more than one value per channel")

        var inverseDeviation = [Float](repeating: 0, count: channels)
        var statistics = [(mean: Float, unbiased: Float)](repeating: (0, 0), count: channels)
        var output = Tensor(zeros: [])
        let normalized = Tensor(shape: x.shape) { xHat in
            output = Tensor(shape: x.shape) { y in
                x.storage.withUnsafeBufferPointer { x in
                    inverseDeviation.withUnsafeMutableBufferPointer { inverseDeviation in
                        statistics.withUnsafeMutableBufferPointer { statistics in
                            Parallel.forRanges(channels, work: x.count) { range in
                                for channel in range {
                                    let mean: Float
                                    let variance: Float
                                    if training {
                                        // Per-plane sums in lanes, added in Double: a channel can hold
                                        // N·H·W ≈ 10⁵ values, where one Float total drifts.
                                        var sum = 0.0
                                        forEachPlane(batch, channels, plane, channel) { start in
                                            sum += Double(Reduce.sum(x.baseAddress! + start, count: plane))
                                        }
                                        let batchMean = Float(sum / Double(count))
                                        var squares = 0.0
                                        forEachPlane(batch, channels, plane, channel) { start in
                                            squares += Double(Reduce.squaredDeviations(x.baseAddress! + start, count: plane,
                                                                                       center: batchMean))
                                        }
                                        mean = batchMean
                                        variance = Float(squares / Double(count))
                                        statistics[channel] = (mean, Float(squares / Double(count - 1)))
                                    } else {
                                        mean = runningMean.storage[channel]
                                        variance = runningVariance.storage[channel]
                                    }
                                    let inverse = 1 / (variance + epsilon).squareRoot()
                                    inverseDeviation[channel] = inverse
                                    let (scale, shift) = (gamma.storage[channel], beta.storage[channel])
                                    forEachPlane(batch, channels, plane, channel) { start in
                                        for i in start..<start + plane {
                                            let value = (x[i] - mean) * inverse
                                            xHat[i] = value
                                            y[i] = scale * value + shift
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training {
            for (channel, batch) in statistics.enumerated() {
                runningMean.storage[channel] = (1 - momentum) * runningMean.storage[channel] + momentum * batch.mean
                runningVariance.storage[channel] = (1 - momentum) * runningVariance.storage[channel] + momentum * batch.unbiased
            }
        }
        let cache = BatchNormCache(normalized: normalized, inverseDeviation: Tensor(shape: [channels], storage: inverseDeviation),
                                   gamma: gamma, training: training)
        return (output, cache)
    }

    /// gradient is dL/dy, (N, C, H, W). Returns dL/dx (N, C, H, W), dL/dgamma and dL/dbeta (C).
    /// In training, dx = gamma/σ · (dy - mean(dy) - x̂·mean(dy·x̂)), the batch statistics' share removed.
    public static func backward(_ gradient: Tensor, cache: BatchNormCache) -> (input: Tensor, gamma: Tensor, beta: Tensor) {
        precondition(gradient.shape == cache.normalized.shape,
                     "gradient \(gradient.shape), expected \(cache.normalized.shape)")
        let shape = gradient.shape
        let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
        let count = Float(batch * plane)
        var gammaGradient = Tensor(zeros: [channels])
        var betaGradient = Tensor(zeros: [channels])
        let inputGradient = Tensor(shape: shape) { dx in
            gradient.storage.withUnsafeBufferPointer { dy in
                cache.normalized.storage.withUnsafeBufferPointer { xHat in
                    gammaGradient.storage.withUnsafeMutableBufferPointer { gammaGradient in
                        betaGradient.storage.withUnsafeMutableBufferPointer { betaGradient in
                            Parallel.forRanges(channels, work: dy.count) { range in
                                for channel in range {
                                    var sum = 0.0
                                    var weighted = 0.0
                                    forEachPlane(batch, channels, plane, channel) { start in
                                        sum += Double(Reduce.sum(dy.baseAddress! + start, count: plane))
                                        weighted += Double(Reduce.dot(dy.baseAddress! + start, xHat.baseAddress! + start, count: plane))
                                    }
                                    betaGradient[channel] = Float(sum)
                                    gammaGradient[channel] = Float(weighted)
                                    let scale = cache.gamma.storage[channel] * cache.inverseDeviation.storage[channel]
                                    // Eval statistics are constants, so only the direct path remains.
                                    let meanGradient = cache.training ? Float(sum) / count : 0
                                    let meanWeighted = cache.training ? Float(weighted) / count : 0
                                    forEachPlane(batch, channels, plane, channel) { start in
                                        for i in start..<start + plane {
                                            dx[i] = scale * (dy[i] - meanGradient - xHat[i] * meanWeighted)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (inputGradient, gammaGradient, betaGradient)
    }

    /// Calls `body` with the storage offset of each sample's plane of `channel`.
    @inline(__always)
    private static func forEachPlane(_ batch: Int, _ channels: Int, _ plane: Int, _ channel: Int, _ body: (Int) -> Void) {
        for sample in 0..<batch { body((sample * channels + channel) * plane) }
    }
}
