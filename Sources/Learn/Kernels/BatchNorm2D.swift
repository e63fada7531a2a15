/// What batch norm's backward needs from forward.
public struct BatchNormCache: Sendable {
    /// The normalized input (x - mean) / sqrt(variance + epsilon), (N, C, H, W).
    public let normalized: Tensor
    /// 1 / sqrt(variance + epsilon) per channel (C), from the batch in training and the running variance in eval.
    public let inverseDeviation: Tensor
    /// (C)
    public let gamma: Tensor
    /// In training the statistics depend on the input, which adds two terms to the input gradient.
    public let training: Bool
    /// How many values per channel the statistics were taken over: N·H·W, or the whole batch's when
    /// replicas share their statistics.
    public let count: Int

    public init(normalized: Tensor, inverseDeviation: Tensor, gamma: Tensor, training: Bool, count: Int? = nil) {
        (self.normalized, self.inverseDeviation, self.gamma, self.training) = (normalized, inverseDeviation, gamma, training)
        self.count = count ?? normalized.shape[0] * normalized.shape[2] * normalized.shape[3]
    }
}

/// Batch normalization over (N, H, W) for each channel, as PyTorch's BatchNorm2d: training normalizes
/// by the batch's mean and biased variance and moves the running statistics toward the batch's
/// (running = (1 - momentum)·running + momentum·batch, the variance unbiased); eval uses the running ones.
/// Legend: C channels, M = N·H·W values per channel.
///
/// Each pass is public on its own, since a batch split across replicas takes its statistics from
/// every replica's sums (`BatchNorm2DLayer` with a `ReplicaGroup`).
public enum BatchNorm2D {
    /// x is (N, C, H, W); gamma, beta, runningMean and runningVariance are (C); returns (N, C, H, W).
    public static func forward(
        _ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
        momentum: Float, epsilon: Float, training: Bool
    ) -> (output: Tensor, cache: BatchNormCache) {
        precondition(x.rank == 4, "batch norm input must be (N, C, H, W), got \(x.shape)")
        let channels = x.shape[1]
        for parameter in [gamma, beta, runningMean, runningVariance] {
            precondition(parameter.shape == [channels], "per-channel parameter \(parameter.shape), expected [\(channels)]")
        }
        let count = x.shape[0] * x.shape[2] * x.shape[3]
        precondition(!training || count > 1, "training batch norm needs more than one value per channel")
        let mean: [Float]
        let inverseDeviation: [Float]
        if training {
            mean = means(channelSums(x, center: nil), count: count)
            let statistics = Statistics(mean: mean, squaredDeviations: channelSums(x, center: mean), count: count, epsilon: epsilon)
            statistics.update(runningMean: &runningMean.storage, runningVariance: &runningVariance.storage, momentum: momentum)
            inverseDeviation = statistics.inverseDeviation
        } else {
            mean = runningMean.storage
            inverseDeviation = runningVariance.storage.map { 1 / ($0 + epsilon).squareRoot() }
        }
        return normalize(x, gamma: gamma, beta: beta, mean: mean, inverseDeviation: inverseDeviation, training: training)
    }

    /// A batch's statistics from its sums, as forward takes them.
    public struct Statistics {
        public let mean: [Float]
        /// Biased, for normalizing.
        public let inverseDeviation: [Float]
        /// Unbiased, for the running variance.
        public let unbiasedVariance: [Float]

        public init(mean: [Float], squaredDeviations: [Double], count: Int, epsilon: Float) {
            self.mean = mean
            inverseDeviation = squaredDeviations.map { 1 / (Float($0 / Double(count)) + epsilon).squareRoot() }
            unbiasedVariance = squaredDeviations.map { Float($0 / Double(count - 1)) }
        }

        /// Moves the running statistics toward the batch's.
        public func update(runningMean: inout [Float], runningVariance: inout [Float], momentum: Float) {
            for channel in mean.indices {
                runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * mean[channel]
                runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * unbiasedVariance[channel]
            }
        }
    }

    /// The per-channel means of `sums` over `count` values each.
    public static func means(_ sums: [Double], count: Int) -> [Float] {
        sums.map { Float($0 / Double(count)) }
    }

    /// Per channel of x (N, C, H, W): Σx, or Σ(x − center[c])² given a center. Per-plane sums in lanes,
    /// added in Double: a channel can hold N·H·W ≈ 10⁵ values, where one Float total drifts.
    public static func channelSums(_ x: Tensor, center: [Float]?) -> [Double] {
        let (batch, channels, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var sums = [Double](repeating: 0, count: channels)
        x.storage.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { sums in
                Parallel.forRanges(channels, work: x.count) { range in
                    for channel in range {
                        var sum = 0.0
                        forEachPlane(batch, channels, plane, channel) { start in
                            sum += Double(center.map { Reduce.squaredDeviations(x.baseAddress! + start, count: plane, center: $0[channel]) }
                                ?? Reduce.sum(x.baseAddress! + start, count: plane))
                        }
                        sums[channel] = sum
                    }
                }
            }
        }
        return sums
    }

    /// y = gamma·x̂ + beta with x̂ = (x − mean)·inverseDeviation, and the cache backward needs.
    public static func normalize(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], inverseDeviation: [Float],
                                 training: Bool, count: Int? = nil) -> (output: Tensor, cache: BatchNormCache) {
        let (batch, channels, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var output = Tensor(zeros: [])
        let normalized = Tensor(shape: x.shape) { xHat in
            output = Tensor(shape: x.shape) { y in
                x.storage.withUnsafeBufferPointer { x in
                    Parallel.forRanges(channels, work: x.count) { range in
                        for channel in range {
                            let (center, inverse) = (mean[channel], inverseDeviation[channel])
                            let (scale, shift) = (gamma.storage[channel], beta.storage[channel])
                            forEachPlane(batch, channels, plane, channel) { start in
                                for i in start..<start + plane {
                                    let value = (x[i] - center) * inverse
                                    xHat[i] = value
                                    y[i] = scale * value + shift
                                }
                            }
                        }
                    }
                }
            }
        }
        let cache = BatchNormCache(normalized: normalized, inverseDeviation: Tensor(shape: [channels], storage: inverseDeviation),
                                   gamma: gamma, training: training, count: count)
        return (output, cache)
    }

    /// gradient is dL/dy, (N, C, H, W). Returns dL/dx (N, C, H, W), dL/dgamma and dL/dbeta (C).
    public static func backward(_ gradient: Tensor, cache: BatchNormCache) -> (input: Tensor, gamma: Tensor, beta: Tensor) {
        let (gammaGradient, betaGradient) = parameterGradients(gradient, cache: cache)
        return (inputGradient(gradient, cache: cache, gammaSums: gammaGradient.storage, betaSums: betaGradient.storage),
                gammaGradient, betaGradient)
    }

    /// dL/dgamma = Σ dy·x̂ and dL/dbeta = Σ dy per channel, each (C).
    public static func parameterGradients(_ gradient: Tensor, cache: BatchNormCache) -> (gamma: Tensor, beta: Tensor) {
        precondition(gradient.shape == cache.normalized.shape,
                     "gradient \(gradient.shape), expected \(cache.normalized.shape)")
        let (batch, channels, plane) = (gradient.shape[0], gradient.shape[1], gradient.shape[2] * gradient.shape[3])
        var gammaGradient = Tensor(zeros: [channels])
        var betaGradient = Tensor(zeros: [channels])
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
                            }
                        }
                    }
                }
            }
        }
        return (gammaGradient, betaGradient)
    }

    /// dL/dx given Σ dy·x̂ and Σ dy per channel over the `cache.count` values the statistics came from.
    /// In training, dx = gamma/σ · (dy - mean(dy) - x̂·mean(dy·x̂)), the batch statistics' share removed;
    /// evaluation's statistics are constants, so only the direct path remains.
    public static func inputGradient(_ gradient: Tensor, cache: BatchNormCache, gammaSums: [Float], betaSums: [Float]) -> Tensor {
        let (batch, channels, plane) = (gradient.shape[0], gradient.shape[1], gradient.shape[2] * gradient.shape[3])
        let count = Float(cache.count)
        return Tensor(shape: gradient.shape) { dx in
            gradient.storage.withUnsafeBufferPointer { dy in
                cache.normalized.storage.withUnsafeBufferPointer { xHat in
                    Parallel.forRanges(channels, work: dy.count) { range in
                        for channel in range {
                            let scale = cache.gamma.storage[channel] * cache.inverseDeviation.storage[channel]
                            let meanGradient = cache.training ? betaSums[channel] / count : 0
                            let meanWeighted = cache.training ? gammaSums[channel] / count : 0
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

    /// Calls `body` with the storage offset of each sample's plane of `channel`.
    @inline(__always)
    private static func forEachPlane(_ batch: Int, _ channels: Int, _ plane: Int, _ channel: Int, _ body: (Int) -> Void) {
        for sample in 0..<batch { body((sample * channels + channel) * plane) }
    }
}
